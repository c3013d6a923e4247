import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { createBreakerMetrics } from './breaker-metrics.js';
import { BreakerRegistry } from './breaker-registry.js';

describe('BreakerRegistry', () => {
  it('keeps one breaker per name', async () => {
    const registry = new BreakerRegistry();
    const a = registry.get('crm', async (id: string) => `crm:${id}`);
    const again = registry.get('crm', async (id: string) => `other:${id}`);
    const b = registry.get('erp', async () => 'erp');
    expect(again).toBe(a);
    expect(b).not.toBe(a);
    await expect(again.fire('7')).resolves.toBe('crm:7');
    expect(registry.names().sort()).toEqual(['crm', 'erp']);
    registry.shutdownAll();
  });

  it('merges defaults with per-breaker options', () => {
    const registry = new BreakerRegistry({ defaults: { volumeThreshold: 9 } });
    expect(registry.get('a', async () => 1).circuit.volumeThreshold).toBe(9);
    expect(registry.get('b', async () => 1, { volumeThreshold: 2 }).circuit.volumeThreshold).toBe(2);
    registry.shutdownAll();
  });

  it('wires metrics into every breaker it creates', async () => {
    const metrics = createBreakerMetrics(new Registry());
    const registry = new BreakerRegistry({ metrics });
    await registry.get('crm', async () => 1).fire();
    const { values } = await metrics.events.get();
    expect(values).toContainEqual(expect.objectContaining({ labels: { breaker: 'crm', event: 'success' }, value: 1 }));
    registry.shutdownAll();
  });

  it('shutdownAll stops and forgets every breaker', async () => {
    const registry = new BreakerRegistry();
    const crm = registry.get('crm', async () => 1);
    registry.shutdownAll();
    expect(registry.names()).toEqual([]);
    expect(registry.has('crm')).toBe(false);
    await expect(crm.fire()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(registry.get('crm', async () => 2)).not.toBe(crm);
    registry.shutdownAll();
  });
});
