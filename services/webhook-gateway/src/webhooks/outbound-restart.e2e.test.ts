import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BUCKETS, subjectFor, WEBHOOK_ADMIN, webhookIntegration, type DeliveryList, type Envelope, type WebhookConfigDto } from '@autoweave/contracts';
import { provisionBuckets, type KV } from '@autoweave/messaging';
import { createLogger } from '@autoweave/observability';
import { SecretBox } from '@autoweave/security';
import { runService, type RunningService } from '@autoweave/service-kit';
import { putIntegrationRecord, startNatsServer, waitFor, type NatsServerHandle } from '@autoweave/testing';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { GatewayConfig } from '../config.js';
import { gatewayService } from '../gateway.definition.js';
import { WebhookReceiver } from './testing/webhook-receiver.js';

const TEST_SECRET_KEY = randomBytes(32).toString('base64');
const EVENTS = 300;

/**
 * Nothing lost, nothing processed twice: gateway replicas stopping and
 * starting, and nats-server restarting, in the middle of deliveries, to a
 * receiver that deduplicates by webhook-id. Also the SSRF guard of a gateway
 * not allowed to reach loopback addresses.
 */
describe('outbound webhooks - restarts mid-delivery and the SSRF guard', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let kv: KV;
  let receiver: WebhookReceiver;
  const running = new Set<RunningService<GatewayConfig>>();
  const box = SecretBox.fromString(TEST_SECRET_KEY);

  async function startGateway(extra: Record<string, string> = {}): Promise<RunningService<GatewayConfig>> {
    const gateway = await runService(gatewayService, {
      NATS_URL: nats.url,
      AUTOWEAVE_SECRET_KEY: TEST_SECRET_KEY,
      AUTOWEAVE_HTTP_PORT: '0',
      AUTOWEAVE_HTTP_HOST: '127.0.0.1',
      AUTOWEAVE_ADMIN_API_KEY: 'restart-test-admin-key',
      AUTOWEAVE_OUTBOUND_ALLOW: 'loopback',
      AUTOWEAVE_WEBHOOK_ACK_MARGIN_MS: '1000',
      AUTOWEAVE_WEBHOOK_CONCURRENCY: '4',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...extra,
    });
    running.add(gateway);
    return gateway;
  }

  async function stopGateway(gateway: RunningService<GatewayConfig>): Promise<void> {
    running.delete(gateway);
    await gateway.stop();
  }

  beforeAll(async () => {
    nats = await startNatsServer();
    await startGateway();
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    js = jetstream(nc);
    kv = (await provisionBuckets(nc, [BUCKETS.integrations], createLogger({ service: 'test', level: 'silent' }))).get(BUCKETS.integrations)!;
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await Promise.all([...running].map((g) => g.stop()));
    await receiver?.close();
    await nc?.close();
    await nats?.stop();
  });

  async function register(config: WebhookConfigDto): Promise<string> {
    return (await putIntegrationRecord(kv, box, { type: webhookIntegration.type, config })).id;
  }

  async function publishMany(topic: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(`msg_${(await js.publish(subjectFor.event(topic), JSON.stringify({ i }))).seq}`);
    return ids;
  }

  function expectEachProcessedOnce(path: string, ids: string[]): void {
    const processed = receiver.processed(path).map((h) => h.id);
    expect(processed).toHaveLength(ids.length);
    expect(new Set(processed)).toEqual(new Set(ids));
    // Redeliveries carry the webhook-id of their event, never a new one.
    expect(receiver.received(path).every((h) => ids.includes(h.id))).toBe(true);
  }

  it('loses nothing when replicas stop mid-delivery, one after the other, and one comes back', async () => {
    const [first] = running;
    const second = await startGateway();
    // Slow enough (4 in flight per replica, 30 ms each) that the stops land mid-delivery.
    receiver.on('/replicas', () => ({ delayMs: 30 }));
    await register({ url: receiver.url('/replicas'), events: ['replicas.*'], timeoutMs: 1000, retry: { scheduleMs: [200, 200, 200, 200] } });
    const ids = await publishMany('replicas.event', EVENTS);

    await waitFor(() => receiver.processed('/replicas').length >= EVENTS / 5, { what: 'a fifth delivered' });
    await stopGateway(first!);
    const midway = receiver.processed('/replicas').length;
    await waitFor(() => receiver.processed('/replicas').length >= midway + EVENTS / 5, { what: 'the other replica delivering' });
    await stopGateway(second);
    expect(receiver.processed('/replicas').length).toBeLessThan(EVENTS);

    await startGateway();
    await waitFor(() => receiver.processed('/replicas').length === EVENTS, { what: 'every event', timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 500));
    expectEachProcessedOnce('/replicas', ids);
  }, 60_000);

  it('loses nothing when nats-server restarts mid-delivery', async () => {
    receiver.on('/nats-restart', () => ({ delayMs: 30 }));
    await register({ url: receiver.url('/nats-restart'), events: ['natsrestart.*'], timeoutMs: 1000, retry: { scheduleMs: [200, 200, 200, 200] } });
    const ids = await publishMany('natsrestart.event', EVENTS);

    await waitFor(() => receiver.processed('/nats-restart').length >= EVENTS / 5, { what: 'a fifth delivered' });
    await nats.restart();
    expect(receiver.processed('/nats-restart').length).toBeLessThan(EVENTS);
    await waitFor(() => receiver.processed('/nats-restart').length === EVENTS, { what: 'every event after the restart', timeoutMs: 40_000 });
    await new Promise((r) => setTimeout(r, 500));
    expectEachProcessedOnce('/nats-restart', ids);
  }, 60_000);

  it('refuses a loopback receiver when AUTOWEAVE_OUTBOUND_ALLOW does not allow it', async () => {
    await Promise.all([...running].map((g) => stopGateway(g)));
    await startGateway({ AUTOWEAVE_OUTBOUND_ALLOW: '' });
    const id = await register({ url: receiver.url('/private'), events: ['ssrf.*'], retry: { scheduleMs: [100] } });
    await js.publish(subjectFor.event('ssrf.probe'), JSON.stringify({}));
    const items = await waitFor(async () => {
      const reply = (await nc.request(WEBHOOK_ADMIN.deliveries, JSON.stringify({ id }), { timeout: 5000 })).json<Envelope<DeliveryList>>();
      return reply.ok && reply.data.items.length === 2 ? reply.data.items : undefined;
    }, { what: 'two refused attempts' });
    expect(items.map((a) => a.outcome)).toEqual(['dead', 'failed']);
    for (const attempt of items) {
      expect(attempt.error).toMatch(/^SSRF: 127\.0\.0\.1 is a loopback address/);
      expect(attempt.status).toBeUndefined();
    }
    expect(receiver.received('/private')).toHaveLength(0);
  }, 30_000);
});
