// What does reliable outbound delivery cost? The same N signed Standard Webhooks, at the same
// concurrency, to one local receiver (its own process), in one run against one nats-server:
//   (a) gateway: N events published to EVENTS while the endpoint is disabled; then it is enabled and
//                the webhook gateway (dist/main.js) delivers the backlog from the endpoint's durable
//                consumer: body, signature, guarded undici POST, ack, attempt records in DELIVERIES.
//                Timed from the enable request until the consumer has every event acknowledged.
//   (b) plain:   the bench itself POSTs the same bodies with undici, signed per request, closed loop.
// Prints one JSON line; ratio = (a) deliveries/s / (b) POSTs/s (target >= 0.5), medians of alternating rounds.
import { createHmac, randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INTEGRATION_ADMIN, PING, STREAMS, subjectFor } from '@autoweave/contracts';
import { freePort, startNatsServer, waitFor } from '@autoweave/testing';
import { connect } from '@nats-io/transport-node';
import { Agent } from 'undici';
import { numberArg, round, runLoad } from './load.mjs';
import { asker } from './support/ask.mjs';
import { ChildProcesses, nodeArgsFrom } from './support/children.mjs';

if (process.argv.includes('--help')) {
  console.log(`usage: node bench/webhooks-out.bench.mjs [--events N] [--concurrency C] [--rounds R]
Needs a build (pnpm build). Prints one JSON line: deliveries/s of the gateway for N events (default
20000) at concurrency C (default 64, AUTOWEAVE_WEBHOOK_CONCURRENCY), plain undici POSTs/s of the same
signed payloads at concurrency C, each in R alternating rounds (default 3, the median round counts),
and ratio = gateway / plain. GATEWAY_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") is
passed to the gateway process.`);
  process.exit(0);
}
const events = numberArg('events', 20_000);
const concurrency = numberArg('concurrency', 64);
const rounds = numberArg('rounds', 3);
const WARMUP = 1000;
const TOPIC = 'bench.order.created';
const here = dirname(fileURLToPath(import.meta.url));
const progress = (msg) => process.stderr.write(`[webhooks-out bench] ${msg}\n`);
const { deliveryConsumerName } = await import(join(here, '../services/webhook-gateway/dist/webhooks/outbound/consumer-plan.js'));

const children = new ChildProcesses();
// The services' logs go to stderr: stdout is the one JSON line.
const startService = (name, env, nodeArgs) => children.service(name, env, { nodeArgs, stdout: process.stderr });

/** The event data: an order of about 300 bytes as JSON. */
const orderData = (i) => ({ orderId: i, customer: { id: `cus_${i % 997}`, email: 'ada@example.com' }, lines: [{ sku: 'SKU-1', qty: 2, price: '9.99' }, { sku: 'SKU-2', qty: 1, price: '19.90' }], total: '39.88', currency: 'EUR', note: 'x'.repeat(64) });

const nats = await startNatsServer();
let client;
try {
  client = await connect({ servers: nats.url });
  const ask = asker(client);
  const {
    child: receiverProcess,
    message: { port },
  } = await children.fork('counting-receiver.mjs');
  const receiver = `http://127.0.0.1:${port}`;
  /** Resolves when the receiver has seen `count` distinct webhook-ids on `path`. */
  const received = (path, count) =>
    new Promise((resolve) => {
      const onMessage = (m) => {
        if (m.path === path && m.done) {
          receiverProcess.off('message', onMessage);
          resolve();
        }
      };
      receiverProcess.on('message', onMessage);
      receiverProcess.send({ path, expect: count });
    });

  const secretKey = randomBytes(32).toString('base64');
  const common = { NATS_URL: nats.url, AUTOWEAVE_SECRET_KEY: secretKey, AUTOWEAVE_OUTBOUND_ALLOW: 'loopback' };
  startService('webhook-gateway', {
    ...common,
    AUTOWEAVE_HTTP_PORT: String(await freePort()),
    AUTOWEAVE_HTTP_HOST: '127.0.0.1',
    AUTOWEAVE_ADMIN_API_KEY: randomBytes(16).toString('hex'),
    AUTOWEAVE_WEBHOOK_CONCURRENCY: String(concurrency),
  }, nodeArgsFrom('GATEWAY_NODE_ARGS'));
  // The hub registers, disables and enables the integration; it idles meanwhile.
  const hub = startService('hub', { ...common, AUTOWEAVE_HEALTH_PORT: String(await freePort()) });
  await waitFor(async () => (await ask(PING.hub, {})).ok, { timeoutMs: 30_000, what: 'the hub' });
  await waitFor(async () => (await ask(PING.webhookGateway, {})).ok, { timeoutMs: 30_000, what: 'the gateway' });
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const registered = await ask(INTEGRATION_ADMIN.register, {
    name: `bench-out-${Date.now()}`,
    type: 'webhook',
    config: { url: `${receiver}/gateway`, events: ['bench.order.*'], secret },
  });
  if (!registered.ok) throw new Error(JSON.stringify(registered.error));
  const integrationId = registered.data.id;
  const consumer = deliveryConsumerName(integrationId);

  /** Publishes events [from, to) to EVENTS with up to 1000 unacknowledged at a time. */
  const subject = subjectFor.event(TOPIC);
  const publish = async (from, to) => {
    const window = [];
    for (let i = from; i < to; i++) {
      window.push(client.request(subject, JSON.stringify(orderData(i)), { timeout: 10_000 }));
      if (window.length >= 1000) await Promise.all(window.splice(0));
    }
    await Promise.all(window);
  };
  const allAcknowledged = async (lastSeq) => {
    const info = await ask(`$JS.API.CONSUMER.INFO.${STREAMS.events.name}.${consumer}`, {});
    return info.ack_floor?.stream_seq >= lastSeq && info.num_ack_pending === 0 && info.num_pending === 0;
  };
  const streamLastSeq = async () => (await ask(`$JS.API.STREAM.INFO.${STREAMS.events.name}`, {})).state.last_seq;

  // Warm-up (connections, JIT) of both sides, then `rounds` alternating rounds; the median round counts.
  await publish(0, WARMUP);
  await received('/gateway', WARMUP);
  await waitFor(async () => allAcknowledged(await streamLastSeq()), { timeoutMs: 60_000, intervalMs: 20, what: 'the warm-up to be acknowledged' });
  let delivered = WARMUP;
  /** (a) N events published while the endpoint is disabled, then delivered once it is enabled. */
  const gatewayRound = async () => {
    const disabled = await ask(INTEGRATION_ADMIN.disable, { id: integrationId });
    if (!disabled.ok) throw new Error(JSON.stringify(disabled.error));
    await new Promise((resolve) => setTimeout(resolve, 500)); // the gateway sees the change on its registry watch
    await publish(delivered, delivered + events);
    const lastSeq = await streamLastSeq();
    const started = process.hrtime.bigint();
    const done = received('/gateway', (delivered += events));
    const enabled = await ask(INTEGRATION_ADMIN.enable, { id: integrationId });
    if (!enabled.ok) throw new Error(JSON.stringify(enabled.error));
    await done;
    await waitFor(() => allAcknowledged(lastSeq), { timeoutMs: 120_000, intervalMs: 5, what: 'every event to be acknowledged' });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { rps: Math.round(events / seconds), seconds: round(seconds) };
  };

  // (b) plain undici POSTs of the same bodies, signed per request, same receiver, same concurrency
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const agent = new Agent({ keepAliveTimeout: 30_000 });
  const timestamp = new Date().toISOString();
  const post = async (i) => {
    const id = `msg_plain_${i}`;
    const body = Buffer.from(`{"type":"${TOPIC}","timestamp":"${timestamp}","data":${JSON.stringify(orderData(i))}}`);
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', key).update(`${id}.${ts}.`).update(body).digest('base64');
    const res = await agent.request({
      origin: receiver,
      path: '/plain',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': `v1,${signature}` },
      body,
    });
    await res.body.dump();
    if (res.statusCode !== 204) throw new Error(`status ${res.statusCode}`);
  };
  await runLoad({ requests: WARMUP, concurrency, send: (i) => post(-1 - i) });

  const results = { gateway: [], plain: [] };
  for (let r = 1; r <= rounds; r++) {
    progress(`round ${r}/${rounds}: gateway delivering ${events} events at concurrency ${concurrency}`);
    results.gateway.push(await gatewayRound());
    progress(`round ${r}/${rounds}: plain undici, ${events} POSTs at concurrency ${concurrency}`);
    results.plain.push(await runLoad({ requests: events, concurrency, send: post }));
  }
  await agent.close();
  const median = (runs) => [...runs].sort((x, y) => x.rps - y.rps)[Math.floor(runs.length / 2)];
  const gateway = median(results.gateway);
  const plain = median(results.plain);
  console.log(JSON.stringify({
    bench: 'webhooks-out',
    events,
    concurrency,
    rounds,
    gateway: { deliveriesPerSecond: gateway.rps, seconds: gateway.seconds },
    plain: { postsPerSecond: plain.rps, p50Ms: plain.p50Ms, p99Ms: plain.p99Ms },
    allRoundsPerSecond: { gateway: results.gateway.map((x) => x.rps), plain: results.plain.map((x) => x.rps) },
    roundRatios: results.gateway.map((g, i) => round(g.rps / results.plain[i].rps)),
    ratio: round(gateway.rps / plain.rps),
  }));
} finally {
  await children.stopAll();
  await client?.close();
  await nats.stop();
}
