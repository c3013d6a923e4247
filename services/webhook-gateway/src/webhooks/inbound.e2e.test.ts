import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BUCKETS, INTEGRATION_EVENTS, INTEGRATION_RECORD_PREFIX, STREAMS, subjectFilter, subjectFor, webhookIntegration, type HealthChangedEvent, type IntegrationStatus, type WebhookConfigDto } from '@autoweave/contracts';
import type { KV } from '@autoweave/messaging';
import { SecretBox } from '@autoweave/security';
import { runService, type RunningService } from '@autoweave/service-kit';
import { putIntegrationRecord, startNatsServer, waitFor, type NatsServerHandle } from '@autoweave/testing';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { Webhook } from 'standardwebhooks';
import type { GatewayConfig } from '../config.js';
import { gatewayService } from '../gateway.definition.js';
import { localBaseUrl } from '../http/address.js';
import { WebhookEndpoints } from './endpoints.js';
import { WEBHOOKS_IN_DUPLICATE_WINDOW_MS } from './inbound/replay-window.js';
import { dedupeKey } from './inbound/inbound-store.js';
import { REPUBLISHER_DURABLE } from './inbound/republisher.js';
import { secretKey, signedHeaders } from './signature.js';
import { newWebhookSecret } from './testing/webhook-records.js';

const SECRET_KEY = randomBytes(32).toString('base64');
const BODY_LIMIT = 4096;
const FAILURE_THRESHOLD = 3;

interface Seen {
  subject: string;
  data: Buffer;
  headers: Record<string, string>;
}

interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const payload = (type: string, data: unknown = { n: 1 }) => Buffer.from(JSON.stringify({ type, timestamp: new Date().toISOString(), data }));

describe('inbound webhooks: POST /webhooks/:integrationId on a real gateway and nats-server', () => {
  let nats: NatsServerHandle;
  let gateway: RunningService<GatewayConfig>;
  let client: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let kv: KV;
  let base: string;
  const box = SecretBox.fromString(SECRET_KEY);
  const events: Seen[] = [];
  const healthEvents: HealthChangedEvent[] = [];

  beforeAll(async () => {
    nats = await startNatsServer();
    gateway = await runService(gatewayService, {
      NATS_URL: nats.url,
      AUTOWEAVE_SECRET_KEY: SECRET_KEY,
      AUTOWEAVE_HTTP_PORT: '0',
      AUTOWEAVE_HTTP_HOST: '127.0.0.1',
      AUTOWEAVE_ADMIN_API_KEY: 'test-admin-key',
      AUTOWEAVE_WEBHOOK_BODY_LIMIT_BYTES: String(BODY_LIMIT),
      AUTOWEAVE_WEBHOOK_FAILURE_THRESHOLD: String(FAILURE_THRESHOLD),
      LOG_LEVEL: 'silent',
    });
    base = localBaseUrl(gateway.app);
    kv = gateway.runtime.bucket(BUCKETS.integrations);
    client = await connect({ servers: nats.url });
    js = jetstream(client);
    jsm = await jetstreamManager(client);
    client.subscribe(subjectFilter.events('webhook.>'), {
      callback: (_err, msg) => {
        const headers: Record<string, string> = {};
        for (const key of msg.headers?.keys() ?? []) headers[key.toLowerCase()] = msg.headers!.get(key);
        events.push({ subject: msg.subject, data: Buffer.from(msg.data), headers });
      },
    });
    client.subscribe(INTEGRATION_EVENTS.healthChanged, {
      callback: (_err, msg) => {
        healthEvents.push(msg.json<HealthChangedEvent>());
      },
    });
    await client.flush();
  });

  afterAll(async () => {
    await client?.close();
    await gateway?.stop();
    await nats?.stop();
  });

  /** A webhook integration written as the hub stores it, once this gateway sees it. */
  async function hook(config: WebhookConfigDto = { secret: newWebhookSecret() }, status: IntegrationStatus = 'active'): Promise<{ id: string; secret: string }> {
    const record = await putIntegrationRecord(kv, box, { type: webhookIntegration.type, config, status });
    const endpoints = gateway.app.get(WebhookEndpoints);
    await waitFor(() => endpoints.get(record.id)?.status === status, { what: `webhook integration ${record.id}` });
    return { id: record.id, secret: config.secret! };
  }

  async function post(id: string, body: Buffer | string | undefined, headers: Record<string, string>): Promise<Answer> {
    const res = await fetch(`${base}/webhooks/${id}`, { method: 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
  }

  /** Signs with our implementation and posts. */
  function send(id: string, secret: string, body: Buffer, options: { msgId?: string; timestamp?: number; contentType?: string } = {}): Promise<Answer> {
    const msgId = options.msgId ?? `msg_${randomUUID()}`;
    const headers = signedHeaders([secretKey(secret)], msgId, options.timestamp ?? nowSeconds(), body);
    return post(id, body, { ...headers, 'content-type': options.contentType ?? 'application/json' });
  }

  /** The messages of a stream on a subject filter, oldest first. */
  async function read(stream: string, filter: string): Promise<Seen[]> {
    const consumer = await js.consumers.get(stream, { filter_subjects: filter });
    const out: Seen[] = [];
    try {
      const pending = (await consumer.info(true)).num_pending;
      if (pending === 0) return out;
      for await (const msg of await consumer.fetch({ max_messages: pending, expires: 2000 })) {
        const headers: Record<string, string> = {};
        for (const key of msg.headers?.keys() ?? []) headers[key.toLowerCase()] = msg.headers!.get(key);
        out.push({ subject: msg.subject, data: Buffer.from(msg.data), headers });
        if (out.length >= pending) break;
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
    return out;
  }

  /** `events.webhook.<id>.`: where the events of one integration are republished. */
  const eventPrefix = (id: string) => subjectFor.event(subjectFor.webhookEventTopic(id, 'x')).slice(0, -'x'.length);
  const stored = (id: string) => read(STREAMS.webhooksIn.name, subjectFilter.webhookIn(id));
  const republished = (id: string) => read(STREAMS.events.name, `${eventPrefix(id)}>`);
  const eventsFor = (id: string) => events.filter((e) => e.subject.startsWith(eventPrefix(id)));

  describe('accepted webhooks', () => {
    it('accepts a webhook signed by the standardwebhooks package, stores the exact bytes and republishes them on events.webhook.<id>.<type>', async () => {
      const { id, secret } = await hook();
      const body = payload('user.created', { name: 'Ada' });
      const timestamp = new Date();
      const signature = new Webhook(secret).sign('msg_interop', timestamp, body);
      const res = await post(id, body, {
        'content-type': 'application/json',
        'webhook-id': 'msg_interop',
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
      });
      expect(res.status).toBe(202);
      expect(res.json).toEqual({ id: 'msg_interop', duplicate: false });

      const [message, ...rest] = await stored(id);
      expect(rest).toHaveLength(0);
      expect(message!.subject).toBe(subjectFor.webhookIn(id, 'user.created'));
      expect(message!.data.equals(body)).toBe(true);
      expect(message!.headers).toMatchObject({
        'webhook-id': 'msg_interop',
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'content-type': 'application/json',
      });

      const event = await waitFor(() => eventsFor(id)[0], { what: 'the republished event' });
      expect(event.subject).toBe(subjectFor.event(subjectFor.webhookEventTopic(id, 'user.created')));
      expect(event.data.equals(body)).toBe(true);
      expect(event.headers).toMatchObject({ 'webhook-id': 'msg_interop', 'content-type': 'application/json' });
    });

    it('keeps whitespace, key order and bytes of any content type as sent, and refuses the same body re-serialised', async () => {
      const { id, secret } = await hook();
      const body = Buffer.from('{\n  "type" : "order.item.shipped",\t"data":{"z":1,"a":[ 1,2 ], "ü": "ß"},  "timestamp":"2026-01-01T00:00:00Z" }\n');
      const res = await send(id, secret, body, { msgId: 'msg_raw', contentType: 'text/plain; charset=utf-8' });
      expect(res.status).toBe(202);

      const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString())));
      const headers = signedHeaders([secretKey(secret)], 'msg_raw_2', nowSeconds(), body);
      const refused = await post(id, reserialised, { ...headers, 'content-type': 'application/json' });
      expect(refused.status).toBe(401);

      const messages = await stored(id);
      expect(messages).toHaveLength(1);
      expect(messages[0]!.data.equals(body)).toBe(true);
      expect(messages[0]!.headers['content-type']).toBe('text/plain; charset=utf-8');
      const event = await waitFor(() => eventsFor(id)[0], { what: 'the republished event' });
      expect(event.data.equals(body)).toBe(true);
      expect(event.subject).toBe(subjectFor.event(subjectFor.webhookEventTopic(id, 'order.item.shipped')));
    });

    it('accepts a replayed webhook-id once: the second answer says duplicate and nothing more is stored or republished', async () => {
      const { id, secret } = await hook();
      const body = payload('invoice.paid');
      const first = await send(id, secret, body, { msgId: 'msg_replayed' });
      const second = await send(id, secret, body, { msgId: 'msg_replayed' });
      expect(first).toMatchObject({ status: 202, json: { id: 'msg_replayed', duplicate: false } });
      expect(second).toMatchObject({ status: 202, json: { id: 'msg_replayed', duplicate: true } });
      expect(await stored(id)).toHaveLength(1);
      // A later webhook is republished after the first one (in order), so once it is there, a second copy would be too.
      expect((await send(id, secret, payload('invoice.sent'), { msgId: 'msg_after' })).status).toBe(202);
      await waitFor(() => eventsFor(id).some((e) => e.headers['webhook-id'] === 'msg_after'), { what: 'the later event' });
      expect(eventsFor(id).filter((e) => e.headers['webhook-id'] === 'msg_replayed')).toHaveLength(1);
      expect((await republished(id)).map((e) => e.headers['webhook-id'])).toEqual(['msg_replayed', 'msg_after']);
    });

    it('deduplicates per integration: two senders may use the same webhook-id', async () => {
      const a = await hook();
      const b = await hook();
      expect((await send(a.id, a.secret, payload('x.y'), { msgId: 'msg_shared' })).json).toEqual({ id: 'msg_shared', duplicate: false });
      expect((await send(b.id, b.secret, payload('x.y'), { msgId: 'msg_shared' })).json).toEqual({ id: 'msg_shared', duplicate: false });
      expect(await stored(a.id)).toHaveLength(1);
      expect(await stored(b.id)).toHaveLength(1);
    });

    it('keeps webhook-ids in WEBHOOKS_IN for twice the tolerance, so every replay the timestamp check lets through is caught', async () => {
      const info = await jsm.streams.info(STREAMS.webhooksIn.name);
      expect(info.config.duplicate_window).toBeGreaterThanOrEqual(2 * gateway.runtime.config.webhookToleranceSeconds * 1e9);
      expect(info.config.duplicate_window).toBe(WEBHOOKS_IN_DUPLICATE_WINDOW_MS * 1e6);
    });

    it('republishes what is in WEBHOOKS_IN from a durable consumer, e.g. a webhook another replica stored before it died', async () => {
      const { id } = await hook();
      expect((await jsm.consumers.info(STREAMS.webhooksIn.name, REPUBLISHER_DURABLE)).config.durable_name).toBe(REPUBLISHER_DURABLE);
      const h = natsHeaders();
      h.set('webhook-id', 'msg_orphan');
      h.set('webhook-timestamp', String(nowSeconds()));
      await js.publish(subjectFor.webhookIn(id, 'user.deleted'), payload('user.deleted'), { headers: h, msgID: `${id}:msg_orphan` });
      const event = await waitFor(() => eventsFor(id)[0], { what: 'the republished orphan' });
      expect(event.subject).toBe(subjectFor.event(subjectFor.webhookEventTopic(id, 'user.deleted')));
      expect(event.headers['webhook-id']).toBe('msg_orphan');
    });

    it('does not publish an event twice when a webhook is redelivered after its event went out (a replica died before acking)', async () => {
      const { id } = await hook();
      const body = payload('user.updated');
      await js.publish(subjectFor.event(subjectFor.webhookEventTopic(id, 'user.updated')), body, { msgID: dedupeKey(id, 'msg_redelivered') });
      const h = natsHeaders();
      h.set('webhook-id', 'msg_redelivered');
      h.set('webhook-timestamp', String(nowSeconds()));
      const storedAck = await js.publish(subjectFor.webhookIn(id, 'user.updated'), body, { headers: h, msgID: dedupeKey(id, 'msg_redelivered') });
      await waitFor(async () => {
        const info = await jsm.consumers.info(STREAMS.webhooksIn.name, REPUBLISHER_DURABLE);
        return info.ack_floor.stream_seq >= storedAck.seq;
      }, { what: 'the republisher to ack the webhook' });
      expect(await republished(id)).toHaveLength(1);
    });
  });

  describe('secret rotation', () => {
    it('accepts the previous secret until it expires, and a header signed with both', async () => {
      const previous = newWebhookSecret();
      const current = newWebhookSecret();
      const expiresAt = new Date(Date.now() + 2000).toISOString();
      const { id } = await hook({ secret: current, previousSecrets: [{ secret: previous, expiresAt }] });
      expect((await send(id, previous, payload('a.b'))).status).toBe(202);
      expect((await send(id, current, payload('a.b'))).status).toBe(202);
      const body = payload('a.b');
      const both = signedHeaders([secretKey(newWebhookSecret()), secretKey(current)], 'msg_both', nowSeconds(), body);
      expect((await post(id, body, { ...both, 'content-type': 'application/json' })).status).toBe(202);

      // After expiresAt the previous secret is refused, the current one still accepted.
      let accepted = 3;
      await waitFor(
        async () => {
          const status = (await send(id, previous, payload('a.b'))).status;
          if (status === 202) accepted++;
          return status === 401;
        },
        { what: 'the previous secret to expire' },
      );
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
      expect((await send(id, current, payload('a.b'))).status).toBe(202);
      expect(await stored(id)).toHaveLength(accepted + 1);
    });

    it('refuses a previous secret that has expired', async () => {
      const previous = newWebhookSecret();
      const { id } = await hook({ secret: newWebhookSecret(), previousSecrets: [{ secret: previous, expiresAt: new Date(Date.now() - 1000).toISOString() }] });
      const res = await send(id, previous, payload('a.b'));
      expect(res.status).toBe(401);
      expect(await stored(id)).toHaveLength(0);
    });
  });

  describe('refused webhooks store nothing', () => {
    it.each<[string, (secret: string, body: Buffer) => Record<string, string>, RegExp]>([
      ['no signature headers', () => ({}), /missing header\(s\): webhook-id, webhook-timestamp, webhook-signature/],
      ['no webhook-signature', (s, b) => ({ ...signedHeaders([secretKey(s)], 'msg_1', nowSeconds(), b), 'webhook-signature': '' }), /missing header\(s\): webhook-signature/],
      ['a wrong secret', (_s, b) => signedHeaders([secretKey(newWebhookSecret())], 'msg_1', nowSeconds(), b), /no signature .* matches/],
      ['a timestamp older than the tolerance', (s, b) => signedHeaders([secretKey(s)], 'msg_1', nowSeconds() - 301, b), /older than the 300 s tolerance/],
      ['a timestamp in the future', (s, b) => signedHeaders([secretKey(s)], 'msg_1', nowSeconds() + 301, b), /more than 300 s in the future/],
      ['a malformed timestamp', (s, b) => ({ ...signedHeaders([secretKey(s)], 'msg_1', nowSeconds(), b), 'webhook-timestamp': '12:00' }), /whole seconds/],
      ['a signature over another webhook-id', (s, b) => ({ ...signedHeaders([secretKey(s)], 'msg_1', nowSeconds(), b), 'webhook-id': 'msg_2' }), /no signature .* matches/],
      ['an overlong webhook-id', (s, b) => signedHeaders([secretKey(s)], 'm'.repeat(257), nowSeconds(), b), /webhook-id is longer than 256/],
    ])('401 for %s, with the reason', async (_name, headersFor, reason) => {
      const { id, secret } = await hook();
      const body = payload('user.created');
      const res = await post(id, body, { ...headersFor(secret, body), 'content-type': 'application/json' });
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.stringMatching(reason), details: { integrationId: id } } });
      expect(res.headers.get('www-authenticate')).toMatch(/^Signature/);
      expect(await stored(id)).toHaveLength(0);
    });

    it.each<[string, Buffer, RegExp]>([
      ['a body that is not JSON', Buffer.from('type=user.created'), /not valid JSON/],
      ['a JSON array', Buffer.from('[{"type":"user.created"}]'), /must be a JSON object/],
      ['no type', Buffer.from('{"data":{}}'), /no "type" field/],
      ['a type with a wildcard', Buffer.from('{"type":"user.*"}'), /"type" must be dot-separated tokens.*"user\.\*"/],
      ['a type with spaces', Buffer.from('{"type":"user created"}'), /"type" must be/],
      ['a type that is not a string', Buffer.from('{"type":42}'), /"type" must be .*number/],
      ['an empty body', Buffer.alloc(0), /not valid JSON/],
    ])('400 VALIDATION for a verified webhook with %s', async (_name, body, message) => {
      const { id, secret } = await hook();
      const res = await send(id, secret, body);
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(message) });
      expect(await stored(id)).toHaveLength(0);
    });

    it('404 for an unknown integration and for one that is not a webhook integration', async () => {
      const unknown = await send(randomUUID(), newWebhookSecret(), payload('a.b'));
      expect(unknown.status).toBe(404);
      expect(unknown.json.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/no webhook integration/) });

      const id = randomUUID();
      const now = new Date().toISOString();
      await kv.put(INTEGRATION_RECORD_PREFIX + id, JSON.stringify({
        id, name: `api-${id.slice(0, 8)}`, type: 'openapi', status: 'active', health: 'unknown', config: {}, tags: [], metadata: {}, createdAt: now, updatedAt: now,
      }));
      await waitFor(async () => (await send(id, newWebhookSecret(), payload('a.b'))).status === 404, { what: 'a 404 for an openapi integration' });
      expect(await stored(id)).toHaveLength(0);
    });

    it('410 for a disabled integration, even with a valid signature', async () => {
      const { id, secret } = await hook(undefined, 'disabled');
      const res = await send(id, secret, payload('a.b'));
      expect(res.status).toBe(410);
      expect(res.json.error).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/disabled/) });
      expect(await stored(id)).toHaveLength(0);
    });

    it('413 for a body over the limit (a 404 comes first for an unknown integration)', async () => {
      const { id, secret } = await hook();
      const big = payload('a.b', 'x'.repeat(BODY_LIMIT));
      const res = await send(id, secret, big);
      expect(res.status).toBe(413);
      expect(res.json.error).toMatchObject({ code: 'VALIDATION', message: `webhook body exceeds the limit of ${BODY_LIMIT} bytes` });
      expect(await stored(id)).toHaveLength(0);
      expect((await send(randomUUID(), secret, big)).status).toBe(404);
      // The API's own limit is not the webhook route's: a body just under the webhook limit is fine.
      expect((await send(id, secret, payload('a.b', 'x'.repeat(BODY_LIMIT - 200)))).status).toBe(202);
    });
  });

  describe('health and metrics', () => {
    it(`publishes integration.health.changed once after ${FAILURE_THRESHOLD} failures in a row, and again when a webhook verifies`, async () => {
      const { id, secret } = await hook();
      const bad = () => send(id, newWebhookSecret(), payload('a.b'));
      for (let i = 0; i < FAILURE_THRESHOLD - 1; i++) expect((await bad()).status).toBe(401);
      expect((await send(id, secret, payload('a.b'))).status).toBe(202); // a verified webhook ends the streak
      for (let i = 0; i < FAILURE_THRESHOLD + 2; i++) expect((await bad()).status).toBe(401);
      const down = await waitFor(() => healthEvents.find((e) => e.id === id), { what: 'the unhealthy event' });
      expect(down).toMatchObject({ id, from: 'unknown', to: 'unhealthy', probe: { integrationId: id, healthy: false } });
      expect(down.probe.error).toMatch(new RegExp(`^${FAILURE_THRESHOLD} inbound webhooks in a row failed verification; last: no signature`));

      expect((await send(id, secret, payload('a.b'))).status).toBe(202);
      await waitFor(() => healthEvents.some((e) => e.id === id && e.to === 'healthy'), { what: 'the healthy event' });
      expect(healthEvents.filter((e) => e.id === id).map((e) => [e.from, e.to])).toEqual([
        ['unknown', 'unhealthy'],
        ['unhealthy', 'healthy'],
      ]);
    });

    it('counts webhook_inbound_total by integration and outcome', async () => {
      const { id, secret } = await hook();
      await send(id, secret, payload('a.b'), { msgId: 'msg_m' });
      await send(id, secret, payload('a.b'), { msgId: 'msg_m' });
      await send(id, newWebhookSecret(), payload('a.b'));
      await send(id, secret, Buffer.from('{}'));
      const metrics = await (await fetch(`${base}/metrics`)).text();
      for (const outcome of ['accepted', 'duplicate', 'unauthorized', 'invalid']) {
        expect(metrics).toMatch(new RegExp(`webhook_inbound_total\\{integration="${id}",outcome="${outcome}"[^}]*\\} 1`));
      }
      expect(metrics).toMatch(/webhook_inbound_total\{integration="unknown",outcome="not_found"/);
    });

    it('documents the route in the OpenAPI document, without API-key security', async () => {
      const doc = await (await fetch(`${base}/api-docs/openapi.json`)).json() as { paths: Record<string, { post?: { security?: unknown[] } }> };
      expect(doc.paths['/webhooks/{integrationId}']?.post?.security).toEqual([]);
    });
  });
});
