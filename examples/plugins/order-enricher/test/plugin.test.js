import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import OrderEnricher from '../index.js';

/**
 * The plugin against an in-memory eventBus and logger shaped like the ones the
 * hub's plugin host gives it (docs/PLUGINS.md, "Testing a plugin"): what it
 * publishes and subscribes is recorded, and events are delivered by hand.
 */
function fakeHost(namespace = 'plugins.order-enricher') {
  const published = [];
  const handlers = new Map();
  const logs = [];
  const eventBus = {
    namespace,
    async publish(topic, data) {
      if (!topic.startsWith(`${namespace}.`)) throw Object.assign(new Error(`publish to "${topic}" refused`), { code: 'UNAUTHORIZED' });
      published.push({ topic, data });
    },
    async subscribe(pattern, handler) {
      handlers.set(pattern, handler);
      return async () => handlers.delete(pattern);
    },
  };
  const logger = Object.fromEntries(['debug', 'info', 'warn', 'error'].map((level) => [level, (msg, fields) => logs.push({ level, msg, fields })]));
  return { eventBus, logger, published, handlers, logs, deliver: (pattern, data) => handlers.get(pattern)(data, { topic: pattern }) };
}

const order = { id: 'o-1', lines: [{ sku: 'a', price: 10, quantity: 2 }, { sku: 'b', price: 2.5, quantity: 1 }] };

describe('order-enricher plugin', () => {
  it('prices an order in processData', async () => {
    const host = fakeHost();
    const plugin = new OrderEnricher();
    await plugin.initialize({ eventBus: host.eventBus, logger: host.logger, config: { taxRate: 0.2 } });
    assert.deepEqual(await plugin.processData(order), { ...order, subtotal: 22.5, tax: 4.5, total: 27 });
  });

  it('rejects an order it cannot price, naming the problem (the caller gets UPSTREAM with it)', async () => {
    const plugin = new OrderEnricher();
    const host = fakeHost();
    await plugin.initialize({ eventBus: host.eventBus, logger: host.logger, config: {} });
    await assert.rejects(plugin.processData({ lines: [{ price: 'ten', quantity: 1 }] }), /lines\[0\] needs a numeric price/);
  });

  it('subscribes to orders.created and publishes priced orders under its namespace', async () => {
    const host = fakeHost();
    const plugin = new OrderEnricher();
    await plugin.initialize({ eventBus: host.eventBus, logger: host.logger, config: { taxRate: 0 } });
    assert.deepEqual([...host.handlers.keys()], ['orders.created']);
    await host.deliver('orders.created', order);
    assert.deepEqual(host.published, [{ topic: 'plugins.order-enricher.enriched', data: { ...order, subtotal: 22.5, tax: 0, total: 22.5 } }]);
  });

  it('logs, and keeps running, when an event holds an order it cannot price', async () => {
    const host = fakeHost();
    const plugin = new OrderEnricher();
    await plugin.initialize({ eventBus: host.eventBus, logger: host.logger, config: {} });
    await host.deliver('orders.created', { id: 'broken' });
    assert.equal(host.published.length, 0);
    assert.ok(host.logs.some((l) => l.level === 'warn' && l.fields.id === 'broken'));
  });

  it('unsubscribes in destroy()', async () => {
    const host = fakeHost();
    const plugin = new OrderEnricher();
    await plugin.initialize({ eventBus: host.eventBus, logger: host.logger, config: {} });
    await plugin.destroy();
    assert.equal(host.handlers.size, 0);
  });
});
