import { afterEach, describe, expect, it } from '@jest/globals';
import { Counter, Registry } from 'prom-client';
import { createBreaker, type Breaker } from './breaker.js';
import { createBreakerMetrics, type BreakerEvent, type BreakerMetrics } from './breaker-metrics.js';

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function eventCount(metrics: BreakerMetrics, breaker: string, event: BreakerEvent): Promise<number> {
  const { values } = await metrics.events.get();
  return values.find((v) => v.labels.breaker === breaker && v.labels.event === event)?.value ?? 0;
}

async function stateValue(metrics: BreakerMetrics, breaker: string): Promise<number | undefined> {
  const { values } = await metrics.state.get();
  return values.find((v) => v.labels.breaker === breaker)?.value;
}

let breaker: Breaker<[boolean], string> | undefined;
afterEach(() => breaker?.shutdown());

const maybeFail = async (fail: boolean): Promise<string> => {
  if (fail) throw new Error('boom');
  return 'ok';
};

describe('createBreakerMetrics', () => {
  it('registers once per registry and reuses the metrics on a second call', async () => {
    const registry = new Registry();
    const first = createBreakerMetrics(registry);
    const second = createBreakerMetrics(registry);
    expect(second.events).toBe(first.events);
    expect(second.state).toBe(first.state);
    expect(registry.getMetricsAsArray().map((m) => m.name).sort()).toEqual([
      'autoweave_breaker_events_total',
      'autoweave_breaker_state',
    ]);
  });

  it('honours the prefix and refuses a name taken by another metric type', () => {
    const registry = new Registry();
    createBreakerMetrics(registry, 'hub');
    expect(registry.getSingleMetric('hub_breaker_state')).toBeDefined();
    const clash = new Registry();
    new Counter({ name: 'x_breaker_state', help: 'not a gauge', registers: [clash] });
    expect(() => createBreakerMetrics(clash, 'x')).toThrow(/another type/);
  });

  it('counts breaker events and tracks state through open, half-open and closed', async () => {
    const metrics = createBreakerMetrics(new Registry());
    breaker = createBreaker('crm', maybeFail, { volumeThreshold: 2, resetTimeout: 150 }, metrics);
    expect(await stateValue(metrics, 'crm')).toBe(0);

    await breaker.fire(false);
    await breaker.fire(true).catch(() => undefined);
    await breaker.fire(true).catch(() => undefined);
    expect(breaker.state()).toBe('open');
    await breaker.fire(false).catch(() => undefined);

    expect(await eventCount(metrics, 'crm', 'success')).toBe(1);
    expect(await eventCount(metrics, 'crm', 'failure')).toBe(2);
    expect(await eventCount(metrics, 'crm', 'open')).toBe(1);
    expect(await eventCount(metrics, 'crm', 'reject')).toBe(1);
    expect(await stateValue(metrics, 'crm')).toBe(2);

    await tick(250);
    expect(await stateValue(metrics, 'crm')).toBe(1);
    expect(await eventCount(metrics, 'crm', 'halfOpen')).toBe(1);

    await breaker.fire(false);
    expect(await stateValue(metrics, 'crm')).toBe(0);
    expect(await eventCount(metrics, 'crm', 'close')).toBe(1);
    expect(await eventCount(metrics, 'crm', 'success')).toBe(2);
  });

  it('counts timeouts and does not double count a circuit attached twice', async () => {
    const registry = new Registry();
    const metrics = createBreakerMetrics(registry);
    const slow = createBreaker('slow', () => new Promise<void>(() => undefined), { timeout: 20 }, metrics);
    metrics.attach('slow', slow.circuit);
    await slow.fire().catch(() => undefined);
    slow.shutdown();
    expect(await eventCount(metrics, 'slow', 'timeout')).toBe(1);
    // opossum reports a timeout as a failure too.
    expect(await eventCount(metrics, 'slow', 'failure')).toBe(1);
    expect(await registry.metrics()).toContain('autoweave_breaker_events_total{breaker="slow",event="timeout"} 1');
  });
});
