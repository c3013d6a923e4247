import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INTEGRATION_ADMIN, INTEGRATION_EVENTS, PIPELINE_EVENTS, subjectFor } from '@autoweave/contracts';
import { runService, type RunningService } from '@autoweave/service-kit';
import { startNatsServer, waitFor, type NatsServerHandle } from '@autoweave/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { GatewayConfig } from '../config.js';
import { gatewayService } from '../gateway.definition.js';
import { localBaseUrl } from '../http/address.js';
import { LiveEvents } from './live-events.js';
import { CLOSE_CODES } from './protocol.js';
import { LiveClient } from './testing/live-client.js';

const ADMIN_KEY = 'live-admin-key';
const QUEUE_MESSAGES = 20;

/**
 * The WebSocket API of a real gateway (runService) on a real nats-server,
 * driven by real `ws` clients; events are published on NATS the way the
 * services publish them.
 */
describe('webhook-gateway - live events over /ws', () => {
  let nats: NatsServerHandle;
  let gateway: RunningService<GatewayConfig>;
  let nc: NatsConnection;
  let base: string;
  let readKey: string;
  const clients: LiveClient[] = [];

  const client = (options: ConstructorParameters<typeof LiveClient>[1] = {}): LiveClient => {
    const c = new LiveClient(base, options);
    clients.push(c);
    return c;
  };

  const ready = async (options: ConstructorParameters<typeof LiveClient>[1]): Promise<LiveClient> => {
    const c = client(options);
    await c.next((f) => f.type === 'ready');
    return c;
  };

  const publish = async (subject: string, data: unknown): Promise<void> => {
    nc.publish(subject, JSON.stringify(data));
    await nc.flush();
  };

  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };

  beforeAll(async () => {
    nats = await startNatsServer();
    gateway = await runService(gatewayService, {
      NATS_URL: nats.url,
      AUTOWEAVE_SECRET_KEY: randomBytes(32).toString('base64'),
      AUTOWEAVE_HTTP_PORT: '0',
      AUTOWEAVE_HTTP_HOST: '127.0.0.1',
      AUTOWEAVE_ADMIN_API_KEY: ADMIN_KEY,
      AUTOWEAVE_API_KEY_CACHE_MS: '0',
      AUTOWEAVE_WS_AUTH_TIMEOUT_MS: '300',
      AUTOWEAVE_WS_PING_INTERVAL_MS: '2000',
      AUTOWEAVE_WS_REAUTH_INTERVAL_MS: '200',
      AUTOWEAVE_WS_SEND_HIGH_WATER_BYTES: String(64 * 1024),
      AUTOWEAVE_WS_QUEUE_MESSAGES: String(QUEUE_MESSAGES),
      LOG_LEVEL: 'silent',
    });
    base = localBaseUrl(gateway.app);
    nc = await connect({ servers: nats.url });
    const res = await fetch(`${base}/api/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'viewer', scopes: ['read'] }),
    });
    readKey = ((await res.json()) as { key: string }).key;
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await nc?.close();
    await gateway?.stop();
    await nats?.stop();
  });

  describe('authentication', () => {
    it('refuses an upgrade with an invalid key in the headers (401, before any WebSocket)', async () => {
      const c = client({ key: 'aw_' + 'x'.repeat(43) });
      const refused = await c.refused;
      expect(refused.status).toBe(401);
      expect(JSON.parse(refused.body)).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.stringMatching(/invalid or revoked/) } });
    });

    it('refuses a key in the URL, even a valid one (400)', async () => {
      const refused = await client({ path: `/ws?apiKey=${ADMIN_KEY}` }).refused;
      expect(refused.status).toBe(400);
      expect(refused.body).toMatch(/not accepted in URLs/);
    });

    it('closes a connection that sends no auth message in time (4408)', async () => {
      const c = client();
      await c.opened;
      const closed = await c.closed;
      expect(closed.code).toBe(CLOSE_CODES.authTimeout);
      expect(c.frames).toEqual([{ type: 'error', message: expect.stringMatching(/no auth message/) }]);
    });

    it('closes a connection whose first message has a wrong key (4401) or is not an auth message (4400)', async () => {
      const wrong = client();
      await wrong.opened;
      wrong.send({ type: 'auth', key: 'nope' });
      expect((await wrong.closed).code).toBe(CLOSE_CODES.unauthorized);
      const early = client();
      await early.opened;
      early.send({ type: 'subscribe', topics: ['>'] });
      expect((await early.closed).code).toBe(CLOSE_CODES.protocol);
    });

    it('accepts the key as the first message (browsers), answers a subscribe sent right behind it, and says what the key may see', async () => {
      const c = client();
      await c.opened;
      c.send({ type: 'auth', key: readKey });
      c.send({ type: 'subscribe', topics: ['integration.*'] });
      const readyFrame = await c.next((f) => f.type === 'ready');
      expect(readyFrame.key).toEqual({ id: expect.any(String), name: 'viewer', scopes: ['read'] });
      const families = (readyFrame.families as Array<{ name: string }>).map((f) => f.name);
      expect(families).toEqual(expect.arrayContaining(['integrations', 'pipelines', 'webhookDeliveries']));
      expect(families).not.toContain('userEvents');
      expect(await c.next((f) => f.type === 'subscribed')).toEqual({ type: 'subscribed', topics: ['integration.*'], families: ['integrations'] });
    c.close();
    });

    it('cuts off a connection whose key is revoked while it is open', async () => {
      const created = (await (
        await fetch(`${base}/api/keys`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'short-lived', scopes: ['read'] }),
        })
      ).json()) as { id: string; key: string };
      const c = await ready({ key: created.key });
      await fetch(`${base}/api/keys/${created.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      const closed = await c.closed;
      expect(closed).toEqual({ code: CLOSE_CODES.unauthorized, reason: 'the API key was revoked' });
    });
  });

  describe('subscriptions', () => {
    it('sends a read key the integration events it subscribed to, never user events (admin only)', async () => {
      const reader = await ready({ key: readKey });
      const admin = await ready({ key: ADMIN_KEY });
      expect(await reader.subscribe(['>'])).toMatchObject({ type: 'subscribed', topics: ['>'] });
      expect(await admin.subscribe(['>'])).toMatchObject({ type: 'subscribed', families: expect.arrayContaining(['userEvents', 'integrations']) });
      const refused = await reader.subscribe(['events.>']);
      expect(refused).toMatchObject({ type: 'error', topic: 'events.>', message: expect.stringMatching(/userEvents needs admin/) });

      await publish(subjectFor.event('user.created'), { email: 'a@example.com' });
      await publish(INTEGRATION_EVENTS.created, { id: 'i-1', name: 'crm', status: 'active' });
      const seen = await reader.next((f) => f.type === 'event' && f.topic === INTEGRATION_EVENTS.created);
      expect(seen).toEqual({ type: 'event', topic: INTEGRATION_EVENTS.created, data: { id: 'i-1', name: 'crm', status: 'active' }, ts: expect.any(String) });
      // Published before the integration event on the same connection: it would have arrived first.
      expect(reader.events().map((f) => f.topic)).toEqual([INTEGRATION_EVENTS.created]);
      await admin.next((f) => f.topic === INTEGRATION_EVENTS.created);
      expect(admin.events().map((f) => f.topic)).toEqual([subjectFor.event('user.created'), INTEGRATION_EVENTS.created]);
      reader.close();
      admin.close();
    });

    it('matches NATS wildcards, stops after unsubscribe, and leaves NATS when nobody watches a family', async () => {
      const live = gateway.app.get(LiveEvents);
      const c = await ready({ key: readKey });
      await waitFor(() => !live.openFamilies().includes('pipelines'), { what: 'no pipeline subscription yet' });
      expect(await c.subscribe(['pipeline.execution.*'])).toMatchObject({ topics: ['pipeline.execution.*'], families: ['pipelines'] });
      expect(live.openFamilies()).toContain('pipelines');

      await publish(PIPELINE_EVENTS.dataWritten, { n: 1 });
      await publish(PIPELINE_EVENTS.executionStarted, { n: 2 });
      await publish(PIPELINE_EVENTS.executionCompleted, { n: 3 });
      await c.next((f) => f.topic === PIPELINE_EVENTS.executionCompleted);
      expect(c.events().map((f) => f.topic)).toEqual([PIPELINE_EVENTS.executionStarted, PIPELINE_EVENTS.executionCompleted]);

      expect(await c.unsubscribe(['pipeline.execution.*'])).toEqual({ type: 'unsubscribed', topics: [], families: [] });
      expect(live.openFamilies()).not.toContain('pipelines');
      expect(await c.subscribe([INTEGRATION_EVENTS.healthChanged])).toMatchObject({ families: ['integrations'] });
      await publish(PIPELINE_EVENTS.executionFailed, { n: 4 });
      await publish(INTEGRATION_EVENTS.healthChanged, { n: 5 });
      await c.next((f) => f.topic === INTEGRATION_EVENTS.healthChanged);
      expect(c.events().map((f) => f.topic)).toEqual([PIPELINE_EVENTS.executionStarted, PIPELINE_EVENTS.executionCompleted, INTEGRATION_EVENTS.healthChanged]);
      c.close();
    });

    it.each<[string, unknown, RegExp]>([
      ['not JSON', 'nope', /JSON objects/],
      ['an unknown type', { type: 'publish' }, /type must be/],
      ['a bad pattern', { type: 'subscribe', topics: ['a.>.b'] }, /may only be the last token/],
      ['no topics', { type: 'subscribe', topics: [] }, /non-empty list/],
      ['a pattern matching nothing live', { type: 'subscribe', topics: [INTEGRATION_ADMIN.register] }, /matches no live topic/],
    ])('answers %s with an error frame and keeps the connection', async (_case, message, expected) => {
      const c = await ready({ key: readKey });
      const from = c.frames.length;
      c.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
      expect((await c.next((f) => f.type === 'error', 5000, from)).message).toMatch(expected);
      c.send({ type: 'ping', id: 'p1' });
      expect(await c.next((f) => f.type === 'pong')).toEqual({ type: 'pong', ts: expect.any(String), id: 'p1' });
      c.close();
    });
  });

  describe('slow and dead clients', () => {
    it('discards the oldest events of a client that does not keep up, tells it how many, and keeps the newest', async () => {
      const c = await ready({ key: readKey });
      await c.subscribe([PIPELINE_EVENTS.dataWritten]);
      c.ws.pause(); // stops reading: the kernel buffers fill, then the gateway's
      const droppedBefore = await metric('autoweave_ws_events_dropped_total');
      const total = 400;
      const filler = 'x'.repeat(32 * 1024);
      for (let n = 1; n <= total; n++) nc.publish(PIPELINE_EVENTS.dataWritten, JSON.stringify({ n, filler }));
      await nc.flush();
      await waitFor(async () => (await metric('autoweave_ws_events_dropped_total')) > droppedBefore, { what: 'events to be dropped', timeoutMs: 20_000 });
      c.ws.resume();
      const last = await c.next((f) => f.type === 'event' && (f.data as { n: number }).n === total, 20_000);
      expect(last).toBeDefined();
      const dropped = c.frames.filter((f) => f.type === 'dropped');
      expect(dropped.length).toBeGreaterThan(0);
      const numbers = c.events().map((f) => (f.data as { n: number }).n);
      const droppedCount = dropped.reduce((sum, f) => sum + (f.count ?? 0), 0);
      // Nothing lost silently: every event was either received or counted as dropped.
      expect(numbers.length + droppedCount).toBe(total);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      // The newest are kept: the last QUEUE_MESSAGES events all arrived.
      expect(numbers.slice(-QUEUE_MESSAGES)).toEqual(Array.from({ length: QUEUE_MESSAGES }, (_, i) => total - QUEUE_MESSAGES + 1 + i));
      c.close();
    });

    it('closes a connection that stops answering pings', async () => {
      const live = gateway.app.get(LiveEvents);
      for (const c of clients) c.close();
      await waitFor(() => live.size === 0, { what: 'earlier connections to close' });
      const silent = await ready({ key: readKey, autoPong: false });
      const closed = await silent.closed;
      expect(closed.code).toBe(1006); // terminated: no close frame
      await waitFor(() => live.size === 0, { what: 'the dead connection to be forgotten' });
    });
  });

  it('delivers one event to 300 clients at once through one shared set of NATS subscriptions', async () => {
    const live = gateway.app.get(LiveEvents);
    const many = await Promise.all(Array.from({ length: 300 }, () => ready({ key: readKey })));
    await Promise.all(many.map((c) => c.subscribe([INTEGRATION_EVENTS.updated])));
    expect(live.openFamilies()).toEqual(['integrations']);
    await publish(INTEGRATION_EVENTS.updated, { id: 'i-300', status: 'disabled' });
    const received = await Promise.all(many.map((c) => c.next((f) => f.type === 'event' && f.topic === INTEGRATION_EVENTS.updated, 20_000)));
    expect(received).toHaveLength(300);
    for (const frame of received) expect(frame.data).toEqual({ id: 'i-300', status: 'disabled' });
    for (const c of many) c.close();
    await waitFor(() => live.openFamilies().length === 0, { what: 'the fan-in to leave NATS' });
  });
});
