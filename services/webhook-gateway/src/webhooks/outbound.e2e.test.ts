import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BUCKETS, INTEGRATION_ADMIN, INTEGRATION_RECORD_PREFIX, STREAMS, subjectFilter, subjectFor, webhookIntegration, type DeliveryAttempt, type IntegrationRecord, type WebhookConfigDto } from '@autoweave/contracts';
import { provisionBuckets, type KV } from '@autoweave/messaging';
import { createLogger } from '@autoweave/observability';
import { SecretBox } from '@autoweave/security';
import { runService, type RunningService } from '@autoweave/service-kit';
import { putIntegrationRecord, startNatsServer, waitFor, type NatsServerHandle } from '@autoweave/testing';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Webhook } from 'standardwebhooks';
import type { GatewayConfig } from '../config.js';
import { gatewayService } from '../gateway.definition.js';
import { localBaseUrl } from '../http/address.js';
import type { DeadLetter } from './outbound/dead-letters.js';
import { newWebhookSecret } from './testing/webhook-records.js';
import { WebhookReceiver, type ReceivedWebhook } from './testing/webhook-receiver.js';

const TEST_SECRET_KEY = randomBytes(32).toString('base64');
const ADMIN_KEY = 'outbound-test-admin-key';

interface Answered {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('outbound webhooks - delivery from EVENTS to real receivers', () => {
  let nats: NatsServerHandle;
  let gateway: RunningService<GatewayConfig>;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let kv: KV;
  let receiver: WebhookReceiver;
  let base: string;
  const box = SecretBox.fromString(TEST_SECRET_KEY);
  const disableRequests: string[] = [];

  beforeAll(async () => {
    nats = await startNatsServer();
    gateway = await runService(gatewayService, {
      NATS_URL: nats.url,
      AUTOWEAVE_SECRET_KEY: TEST_SECRET_KEY,
      AUTOWEAVE_HTTP_PORT: '0',
      AUTOWEAVE_HTTP_HOST: '127.0.0.1',
      AUTOWEAVE_ADMIN_API_KEY: ADMIN_KEY,
      AUTOWEAVE_OUTBOUND_ALLOW: 'loopback',
      AUTOWEAVE_WEBHOOK_ACK_MARGIN_MS: '1000',
      LOG_LEVEL: 'silent',
    });
    base = localBaseUrl(gateway.app);
    nc = await connect({ servers: nats.url });
    js = jetstream(nc);
    kv = (await provisionBuckets(nc, [BUCKETS.integrations], createLogger({ service: 'test', level: 'silent' }))).get(BUCKETS.integrations)!;
    receiver = await WebhookReceiver.start();
    // Stands in for the hub's disable verb: marks the record disabled, as the hub would.
    nc.subscribe(INTEGRATION_ADMIN.disable, {
      callback: (_err, msg) => {
        const { id } = msg.json<{ id: string }>();
        disableRequests.push(id);
        void setStatus(id, 'disabled').then(() => msg.respond(JSON.stringify({ ok: true, data: { id, status: 'disabled' } })));
      },
    });
    await nc.flush();
  });

  afterAll(async () => {
    await gateway?.stop();
    await receiver?.close();
    await nc?.close();
    await nats?.stop();
  });

  async function register(config: WebhookConfigDto): Promise<string> {
    const record = await putIntegrationRecord(kv, box, { type: webhookIntegration.type, config });
    return record.id;
  }

  async function setStatus(id: string, status: IntegrationRecord['status']): Promise<void> {
    const entry = await kv.get(INTEGRATION_RECORD_PREFIX + id);
    const record = entry!.json<IntegrationRecord>();
    await kv.put(INTEGRATION_RECORD_PREFIX + id, JSON.stringify({ ...record, status, updatedAt: new Date().toISOString() }));
  }

  async function publish(topic: string, data: unknown): Promise<number> {
    return (await js.publish(subjectFor.event(topic), JSON.stringify(data))).seq;
  }

  async function call(method: string, path: string, body?: unknown): Promise<Answered> {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async function attempts(id: string, query = ''): Promise<DeliveryAttempt[]> {
    const res = await call('GET', `/api/integration/${id}/deliveries${query}`);
    expect(res.status).toBe(200);
    return res.body.items as DeliveryAttempt[];
  }

  function verifyWith(secret: string, hook: ReceivedWebhook): unknown {
    return new Webhook(secret).verify(hook.body, { 'webhook-id': hook.id, 'webhook-timestamp': hook.timestamp, 'webhook-signature': hook.signature });
  }

  async function deadLetters(id: string): Promise<DeadLetter[]> {
    const out: DeadLetter[] = [];
    const consumer = await js.consumers.get(STREAMS.webhookDlq.name, { filter_subjects: subjectFilter.webhookDeadLetters(id) });
    const pending = (await consumer.info(true)).num_pending;
    if (pending > 0) {
      for await (const m of await consumer.fetch({ max_messages: pending, expires: 2000 })) {
        out.push(m.json<DeadLetter>());
        if (m.info.pending === 0) break;
      }
    }
    await consumer.delete().catch(() => undefined);
    return out;
  }

  it('delivers a matching event signed per Standard Webhooks: standardwebhooks verifies it; the attempt is recorded', async () => {
    const secret = newWebhookSecret();
    const id = await register({ url: receiver.url('/interop'), events: ['interop.*'], secret, headers: { 'x-tenant': 't-1', 'Content-Type': 'text/evil' } });
    const seq = await publish('interop.created', { b: 1, a: { nested: [1, 2] } });
    const [hook] = await waitFor(() => (receiver.received('/interop').length === 1 ? receiver.received('/interop') : undefined), { what: 'the webhook' });

    const verified = verifyWith(secret, hook!) as { type: string; timestamp: string; data: unknown };
    expect(verified.type).toBe('interop.created');
    expect(verified.data).toEqual({ b: 1, a: { nested: [1, 2] } });
    expect(Date.parse(verified.timestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(hook!.id).toBe(`msg_${seq}`);
    expect(hook!.headers['content-type']).toBe('application/json');
    expect(hook!.headers['x-tenant']).toBe('t-1');
    expect(() => verifyWith(newWebhookSecret(), hook!)).toThrow();

    const [record] = await waitFor(async () => {
      const items = await attempts(id);
      return items.length === 1 ? items : undefined;
    }, { what: 'the attempt record' });
    expect(record).toMatchObject({ msgId: `msg_${seq}`, integrationId: id, topic: 'interop.created', attempt: 1, outcome: 'succeeded', trigger: 'delivery', status: 200, responseExcerpt: 'ok' });
    expect(JSON.stringify(record)).not.toContain(secret.slice(6));
    expect(JSON.stringify(record)).not.toContain('x-tenant');
  });

  it('matches topics with NATS wildcard rules, with one pattern (server filter) and with several (client matcher)', async () => {
    await register({ url: receiver.url('/wild-many'), events: ['wild.order.>', 'wild.invoice.paid', 'wild.*.created'] });
    await register({ url: receiver.url('/wild-one'), events: ['wild.*.created'] });
    const topics = ['wild.order.paid', 'wild.order.item.shipped', 'wild.order', 'wild.invoice.paid', 'wild.invoice.void', 'wild.user.created', 'wild.user.eu.created'];
    for (const topic of topics) await publish(topic, { topic });
    const many = ['wild.order.paid', 'wild.order.item.shipped', 'wild.invoice.paid', 'wild.user.created'];
    await waitFor(() => receiver.received('/wild-many').length === many.length && receiver.received('/wild-one').length === 1, { what: 'the matching events' });
    await new Promise((r) => setTimeout(r, 300)); // nothing else arrives
    const typeOf = (h: ReceivedWebhook): string => (JSON.parse(h.body) as { type: string }).type;
    expect(receiver.received('/wild-many').map(typeOf).sort()).toEqual([...many].sort());
    expect(receiver.received('/wild-one').map(typeOf)).toEqual(['wild.user.created']);
  });

  it('retries on the configured schedule and delivers on the attempt that succeeds; the failed ones are listed by status', async () => {
    receiver.on('/flaky', (hook) => (hook.nth <= 2 ? { status: 503, body: 'down for maintenance' } : {}));
    const id = await register({ url: receiver.url('/flaky'), events: ['flaky.*'], retry: { scheduleMs: [300, 600, 5000] } });
    const seq = await publish('flaky.event', { n: 1 });
    await waitFor(() => receiver.received('/flaky').length === 3, { what: 'three attempts' });
    const [a1, a2, a3] = receiver.received('/flaky');
    expect([a1!.id, a2!.id, a3!.id]).toEqual([`msg_${seq}`, `msg_${seq}`, `msg_${seq}`]);
    // Scheduled delays with at most 20% jitter: 300 ms then 600 ms at least 240 and 480.
    expect(a2!.at - a1!.at).toBeGreaterThanOrEqual(230);
    expect(a3!.at - a2!.at).toBeGreaterThanOrEqual(470);

    const failed = await waitFor(async () => {
      const items = await attempts(id, '?status=failed');
      return items.length === 2 ? items : undefined;
    }, { what: 'two failed attempts' });
    expect(failed.map((a) => a.attempt)).toEqual([2, 1]);
    expect(failed[0]).toMatchObject({ outcome: 'failed', status: 503, responseExcerpt: 'down for maintenance', error: 'receiver answered 503' });
    expect(Date.parse(failed[1]!.nextAttemptAt!)).toBeGreaterThan(Date.parse(failed[1]!.at));
    const all = await waitFor(async () => {
      const items = await attempts(id);
      return items.length === 3 ? items : undefined;
    }, { what: 'all three attempts' });
    expect(all[0]).toMatchObject({ attempt: 3, outcome: 'succeeded' });
    expect(await attempts(id, `?status=succeeded&msgId=msg_${seq}&limit=5`)).toHaveLength(1);
    expect((await call('GET', `/api/integration/${id}/deliveries?status=bogus`)).status).toBe(400);
  });

  it('honours Retry-After instead of the schedule', async () => {
    receiver.on('/busy', (hook) => (hook.nth === 1 ? { status: 429, headers: { 'retry-after': '1' } } : {}));
    await register({ url: receiver.url('/busy'), events: ['busy.*'], retry: { scheduleMs: [600_000] } });
    await publish('busy.event', {});
    await waitFor(() => receiver.received('/busy').length === 2, { what: 'the retry after Retry-After', timeoutMs: 8000 });
    const [first, second] = receiver.received('/busy');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it('treats a receiver that does not answer within timeoutMs as a failed attempt', async () => {
    receiver.on('/slow', (hook) => (hook.nth === 1 ? { delayMs: 2000 } : {}));
    const id = await register({ url: receiver.url('/slow'), events: ['slow.*'], timeoutMs: 300, retry: { scheduleMs: [200] } });
    await publish('slow.event', {});
    const items = await waitFor(async () => {
      const list = await attempts(id);
      return list.length === 2 ? list : undefined;
    }, { what: 'the timed-out attempt and its retry' });
    expect(items[1]).toMatchObject({ attempt: 1, outcome: 'failed', error: 'no answer within 300 ms' });
    expect(items[1]!.status).toBeUndefined();
    expect(items[0]).toMatchObject({ attempt: 2, outcome: 'succeeded', status: 200 });
  });

  it('dead-letters an event after its last attempt, then stops trying', async () => {
    receiver.on('/broken', () => ({ status: 500, body: 'boom' }));
    const id = await register({ url: receiver.url('/broken'), events: ['broken.*'], retry: { scheduleMs: [100, 100] } });
    const seq = await publish('broken.event', { keep: 'me' });
    const [letter] = await waitFor(async () => {
      const letters = await deadLetters(id);
      return letters.length === 1 ? letters : undefined;
    }, { what: 'the dead letter' });
    expect(letter).toMatchObject({ integrationId: id, msgId: `msg_${seq}`, topic: 'broken.event', attempts: 3, lastStatus: 500, lastError: 'receiver answered 500' });
    expect(letter!.event).toMatchObject({ type: 'broken.event', data: { keep: 'me' } });
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received('/broken')).toHaveLength(3);
    const dead = await waitFor(async () => {
      const items = await attempts(id, '?status=dead');
      return items.length === 1 ? items : undefined;
    }, { what: 'the dead attempt record' });
    expect(dead[0]).toMatchObject({ attempt: 3, outcome: 'dead' });
    expect(await attempts(id, '?status=failed')).toHaveLength(2);
  });

  it('counts a refusal by the open breaker as an attempt, without a request', async () => {
    receiver.on('/tripping', () => ({ status: 502 }));
    const id = await register({
      url: receiver.url('/tripping'),
      events: ['tripping.*'],
      retry: { scheduleMs: [100, 100, 100] },
      breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 },
    });
    await publish('tripping.event', {});
    await waitFor(async () => (await deadLetters(id)).length === 1, { what: 'the dead letter' });
    expect(receiver.received('/tripping')).toHaveLength(2);
    const items = await waitFor(async () => {
      const list = await attempts(id);
      return list.length === 4 ? list : undefined;
    }, { what: 'four attempt records' });
    expect(items.map((a) => a.attempt)).toEqual([4, 3, 2, 1]);
    expect(items[0]!.error).toMatch(/^not sent: circuit breaker .* is open/);
    expect(items[0]!.status).toBeUndefined();
  });

  it('waits for the rate limit without spending attempts', async () => {
    await register({ url: receiver.url('/limited'), events: ['limited.*'], rateLimit: { rps: 5, burst: 1 } });
    for (let i = 0; i < 6; i++) await publish('limited.event', { i });
    await waitFor(() => receiver.received('/limited').length === 6, { what: 'six deliveries' });
    const hooks = receiver.received('/limited');
    expect(hooks.every((h) => h.nth === 1)).toBe(true);
    // One token per 200 ms after the first: the sixth cannot come before about 1 s.
    expect(hooks[5]!.at - hooks[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it('keeps publish order for ordered endpoints: a failing event holds back the ones after it', async () => {
    let firstSeq = 0;
    receiver.on('/ordered', (hook) => (hook.id === `msg_${firstSeq}` && hook.nth <= 2 ? { status: 503 } : {}));
    await register({ url: receiver.url('/ordered'), events: ['ordered.*'], ordered: true, retry: { scheduleMs: [200, 200, 200] } });
    const seqs: number[] = [];
    firstSeq = await publish('ordered.event', { i: 0 });
    seqs.push(firstSeq);
    for (let i = 1; i < 6; i++) seqs.push(await publish('ordered.event', { i }));
    await waitFor(() => receiver.processed('/ordered').length === 6, { what: 'six events' });
    const sequence = receiver.received('/ordered').map((h) => Number(h.id.slice(4)));
    expect(sequence).toEqual([seqs[0], seqs[0], seqs[0], ...seqs.slice(1)]);
  });

  it('signs with the old and the new secret during a rotation grace period', async () => {
    const oldSecret = newWebhookSecret();
    const newSecret = newWebhookSecret();
    const rotating = { secret: newSecret, previousSecrets: [{ secret: oldSecret, expiresAt: new Date(Date.now() + 3_600_000).toISOString() }] };
    await register({ url: receiver.url('/knows-old'), events: ['rotation.*'], ...rotating });
    await register({ url: receiver.url('/knows-new'), events: ['rotation.*'], ...rotating });
    await register({
      url: receiver.url('/after-grace'),
      events: ['rotation.*'],
      secret: newSecret,
      previousSecrets: [{ secret: oldSecret, expiresAt: new Date(Date.now() - 1000).toISOString() }],
    });
    await publish('rotation.event', { r: 1 });
    await waitFor(() => ['/knows-old', '/knows-new', '/after-grace'].every((p) => receiver.received(p).length === 1), { what: 'three deliveries' });
    expect(verifyWith(oldSecret, receiver.received('/knows-old')[0]!)).toMatchObject({ data: { r: 1 } });
    expect(verifyWith(newSecret, receiver.received('/knows-new')[0]!)).toMatchObject({ data: { r: 1 } });
    const expired = receiver.received('/after-grace')[0]!;
    expect(expired.signature.split(' ')).toHaveLength(1);
    expect(verifyWith(newSecret, expired)).toBeTruthy();
    expect(() => verifyWith(oldSecret, expired)).toThrow();
  });

  it('on 410 Gone asks the hub to disable the integration and stops delivering', async () => {
    receiver.on('/gone', () => ({ status: 410 }));
    const id = await register({ url: receiver.url('/gone'), events: ['gone.*'], retry: { scheduleMs: [100, 100, 100] } });
    await publish('gone.event', { n: 1 });
    await waitFor(() => disableRequests.includes(id), { what: 'the disable request' });
    await publish('gone.event', { n: 2 });
    await new Promise((r) => setTimeout(r, 800));
    expect(receiver.received('/gone')).toHaveLength(1);
    expect(await deadLetters(id)).toHaveLength(0);
  });

  it('replays one event on request, and every matching event since a time in order', async () => {
    const id = await register({ url: receiver.url('/replay'), events: ['replay.*'] });
    const before = new Date(Date.now() - 1000).toISOString();
    const seqs = [await publish('replay.a', { i: 1 }), await publish('replay.b', { i: 2 }), await publish('replay.c', { i: 3 })];
    await waitFor(() => receiver.processed('/replay').length === 3, { what: 'the first deliveries' });

    const one = await call('POST', `/api/integration/${id}/deliveries/msg_${seqs[1]}/replay`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ msgId: `msg_${seqs[1]}`, trigger: 'replay', outcome: 'succeeded', status: 200 });
    expect(receiver.received('/replay').filter((h) => h.id === `msg_${seqs[1]}`)).toHaveLength(2);

    expect((await call('POST', `/api/integration/${id}/deliveries/msg_99999999/replay`)).status).toBe(404);
    const otherSeq = await publish('not-replay.x', {});
    expect((await call('POST', `/api/integration/${id}/deliveries/msg_${otherSeq}/replay`)).body.error.code).toBe('NOT_FOUND');
    expect((await call('POST', `/api/integration/${id}/deliveries/nope/replay`)).status).toBe(400);
    expect((await call('POST', `/api/integration/${id}/replay?since=yesterday`)).status).toBe(400);

    const bulk = await call('POST', `/api/integration/${id}/replay?since=${encodeURIComponent(before)}`);
    expect(bulk.status).toBe(202);
    expect(bulk.body).toEqual({ integrationId: id, queued: 3 });
    await waitFor(() => receiver.received('/replay').length === 7, { what: 'the replayed events' });
    expect(receiver.received('/replay').slice(4).map((h) => h.id)).toEqual(seqs.map((s) => `msg_${s}`));
    const replays = await waitFor(async () => {
      const items = (await attempts(id)).filter((a) => a.trigger === 'replay');
      return items.length === 4 ? items : undefined;
    }, { what: 'the replay records' });
    expect(replays.every((a) => a.outcome === 'succeeded')).toBe(true);
    expect((await call('GET', `/api/integration/${randomUUID()}/deliveries`)).status).toBe(404);
  });

  it('publishes over HTTP: POST /api/events/publish stores the event once per msgId and subscribers receive it', async () => {
    const secret = newWebhookSecret();
    await register({ url: receiver.url('/http-publish'), events: ['httppub.*'], secret });
    const first = await call('POST', '/api/events/publish', { topic: 'httppub.created', data: { a: 1 }, msgId: 'evt-1' });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ stream: STREAMS.events.name, duplicate: false });
    const again = await call('POST', '/api/events/publish', { topic: 'httppub.created', data: { a: 1 }, msgId: 'evt-1' });
    expect(again.body).toEqual({ ...first.body, duplicate: true });
    expect((await call('POST', '/api/events/publish', { topic: 'httppub.*', data: {} })).status).toBe(400);
    expect((await call('POST', '/api/events/publish', { topic: 'httppub.x', extra: 1 })).status).toBe(400);
    const [hook] = await waitFor(() => (receiver.received('/http-publish').length === 1 ? receiver.received('/http-publish') : undefined), { what: 'the webhook' });
    expect(hook!.id).toBe(`msg_${first.body.seq}`);
    expect(verifyWith(secret, hook!)).toMatchObject({ type: 'httppub.created', data: { a: 1 } });
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received('/http-publish')).toHaveLength(1);
  });

  it('starts a new endpoint at its registration: earlier events are not delivered, later ones are', async () => {
    await publish('late.before', {});
    await new Promise((r) => setTimeout(r, 20));
    await register({ url: receiver.url('/late'), events: ['late.*'] });
    await publish('late.after', {});
    await waitFor(() => receiver.received('/late').length === 1, { what: 'the later event' });
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received('/late').map((h) => (JSON.parse(h.body) as { type: string }).type)).toEqual(['late.after']);
  });
});
