import { describe, expect, it } from '@jest/globals';
import { INTEGRATION_EVENTS, subjectFor } from '@autoweave/contracts';
import { SubscriptionRegistry } from './subscription-registry.js';

describe('live - subscription registry', () => {
  it('routes by family and pattern, within the scopes, and reports interest changes', () => {
    const changes: string[] = [];
    const registry = new SubscriptionRegistry<string>((family, interested) => changes.push(`${family}:${interested}`));
    expect(registry.set('reader', ['>'], ['read'])).not.toContain('userEvents');
    expect(registry.set('admin', ['events.user.*', INTEGRATION_EVENTS.created], ['admin']).sort()).toEqual(['integrations', 'userEvents']);
    expect(registry.recipients('integrations', INTEGRATION_EVENTS.created).sort()).toEqual(['admin', 'reader']);
    expect(registry.recipients('integrations', INTEGRATION_EVENTS.deleted)).toEqual(['reader']);
    expect(registry.recipients('userEvents', subjectFor.event('user.created'))).toEqual(['admin']);
    expect(registry.recipients('userEvents', subjectFor.event('order.created'))).toEqual([]);
    expect(registry.recipients('integrationCalls', subjectFor.integrationRequest('abc'))).toEqual(['reader']);

    registry.remove('reader');
    expect(registry.interested('integrations')).toBe(true);
    expect(registry.interested('pipelines')).toBe(false);
    registry.set('admin', [], ['admin']);
    expect(registry.interested('integrations')).toBe(false);
    expect(changes).toContain('pipelines:true');
    expect(changes).toContain('pipelines:false');
    expect(changes.filter((c) => c === 'integrations:true')).toHaveLength(1);
    expect(changes.at(-1)).toMatch(/:false$/);
  });
});

describe('live - event redaction', () => {
  it('masks the secret fields of a discovered module and withholds the config of an unknown type', async () => {
    const { redactEvent } = await import('./event-redaction.js');
    const found = { name: 'orders-db', type: 'database', config: { dbType: 'postgres', connectionString: 'postgres://u:hunter2@db/orders', tables: ['t'] } };
    const shown = redactEvent(INTEGRATION_EVENTS.moduleDiscovered, found) as { config: Record<string, unknown> };
    expect(shown.config).toEqual({ dbType: 'postgres', connectionString: '***', tables: ['t'] });
    expect(JSON.stringify(shown)).not.toContain('hunter2');
    expect(redactEvent(INTEGRATION_EVENTS.moduleDiscovered, { type: 'mystery', config: { token: 'x' } })).toEqual({ type: 'mystery', config: {} });
    expect(redactEvent(INTEGRATION_EVENTS.created, { id: 'a' })).toEqual({ id: 'a' });
  });
});
