import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BUCKETS, HEADERS, STREAMS } from '@autoweave/contracts';
import { createLogger, runWithCorrelation } from '@autoweave/observability';
import { startNatsServer, type NatsServerHandle } from '@autoweave/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { Bus, connectNats, decodeJson, EventBus, provisionBuckets, provisionStreams, type NatsConnection } from './index.js';

const logger = createLogger({ service: 'test', level: 'silent' });

describe('messaging - against a real nats-server', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let bus: Bus;

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connectNats({ url: nats.url, name: 'messaging-test' }, logger);
    bus = new Bus(nc, logger);
  });

  afterAll(async () => {
    await bus?.drain();
    await nats?.stop();
  });

  it('provisions streams and buckets idempotently', async () => {
    const streams = [STREAMS.events, STREAMS.webhooksIn];
    await provisionStreams(nc, streams, logger);
    await Promise.all([provisionStreams(nc, streams, logger), provisionStreams(nc, streams, logger)]);
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info('EVENTS')).config.subjects).toEqual(['events.>']);
    const first = await provisionBuckets(nc, [BUCKETS.integrations], logger);
    await first.get(BUCKETS.integrations)!.put('k', 'v');
    const again = await provisionBuckets(nc, [BUCKETS.integrations], logger);
    expect((await again.get(BUCKETS.integrations)!.get('k'))?.string()).toBe('v');
  });

  it('creates streams and buckets with the configured replica count (a single server refuses more than one)', async () => {
    await expect(provisionStreams(nc, [STREAMS.audit], logger, { replicas: 3 })).rejects.toThrow(/replicas/i);
    await expect(provisionBuckets(nc, [BUCKETS.manifests], logger, { replicas: 3 })).rejects.toThrow(/replicas/i);
    await provisionStreams(nc, [STREAMS.audit], logger, { replicas: 1 });
    expect((await (await jetstreamManager(nc)).streams.info(STREAMS.audit.name)).config.num_replicas).toBe(1);
  });

  it('EventBus.publish persists user events on events.<topic> and dedupes by message id', async () => {
    const events = new EventBus(bus);
    const a = await events.publish('user.created', { id: 1 }, { msgId: 'evt-1' });
    const b = await events.publish('user.created', { id: 1 }, { msgId: 'evt-1' });
    expect(a.stream).toBe('EVENTS');
    expect(b.duplicate).toBe(true);
    const jsm = await jetstreamManager(nc);
    const msg = await jsm.streams.getMessage('EVENTS', { last_by_subj: 'events.user.created' });
    expect(msg?.json()).toEqual({ id: 1 });
  });

  it.each(['', 'user.*', 'order.>', 'a..b', 'has space'])('EventBus.publish refuses the topic %j with VALIDATION', async (topic) => {
    await expect(new EventBus(bus).publish(topic, {})).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('request resolves to the responder envelope and carries the correlation id', async () => {
    const sub = nc.subscribe('echo.test', {
      callback: (_err, msg) => msg.respond(JSON.stringify({ ok: true, data: { got: msg.json(), corr: msg.headers?.get(HEADERS.correlationId) } })),
    });
    const reply = await runWithCorrelation('corr-42', () => new EventBus(bus).request('echo.test', { a: 1 }));
    expect(reply).toEqual({ ok: true, data: { got: { a: 1 }, corr: 'corr-42' } });
    sub.unsubscribe();
  });

  it('request answers TIMEOUT when the reply does not come, UNAVAILABLE with no responder, INTERNAL for a non-envelope', async () => {
    const silent = nc.subscribe('silent.test', { callback: () => undefined });
    const odd = nc.subscribe('odd.test', { callback: (_e, m) => m.respond('"just a string"') });
    expect(await bus.request('silent.test', {}, { timeout: 100 })).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    expect(await bus.request('nobody.test', {})).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    expect(await bus.request('odd.test', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    silent.unsubscribe();
    odd.unsubscribe();
  });

  it('reconnects after the server restarts', async () => {
    await nats.restart();
    const sub = nc.subscribe('after.restart', { callback: (_e, m) => m.respond(JSON.stringify({ ok: true, data: 'back' })) });
    let reply = await bus.request('after.restart', {}, { timeout: 500 });
    for (let i = 0; i < 40 && !reply.ok; i++) {
      await new Promise((r) => setTimeout(r, 250));
      reply = await bus.request('after.restart', {}, { timeout: 500 });
    }
    expect(reply).toEqual({ ok: true, data: 'back' });
    sub.unsubscribe();
  });
});

describe('Bus.drain without a server', () => {
  it('closes the connection instead of leaving it reconnecting forever', async () => {
    const server = await startNatsServer();
    const conn = await connectNats({ url: server.url, name: 'drain-test' }, logger);
    await server.stop();
    await new Promise((r) => setTimeout(r, 200));
    await new Bus(conn, logger).drain();
    expect(conn.isClosed()).toBe(true);
  });
});

describe('codec - decodeJson', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  it.each([
    ['empty body', '', {}],
    ['object', '{"a":1}', { a: 1 }],
  ])('decodes %s', (_name, text, expected) => expect(decodeJson(bytes(text))).toEqual(expected));

  it.each([
    ['invalid JSON', bytes('{'), /not valid JSON/],
    ['invalid UTF-8', new Uint8Array([0xff, 0xfe]), /UTF-8/],
    ['too large', bytes('"' + 'x'.repeat(100) + '"'), /exceeds the limit of 50 bytes/],
  ])('refuses %s with VALIDATION', (_name, data, message) => {
    expect(() => decodeJson(data, 50)).toThrow(message);
  });
});
