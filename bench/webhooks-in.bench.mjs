// What do the gateway's inbound webhooks cost? Signed 1 KB Standard Webhooks at concurrency 64 for a fixed
// time to three HTTP servers, each its own process, all in one run against one nats-server:
//   (a) gateway: POST /webhooks/:id on the webhook gateway (dist/main.js): lookup, signature and timestamp
//                check, event type, JetStream publish awaiting the ack, 202; its republisher moves each
//                webhook on to EVENTS meanwhile, as in production
//   (b) relay:   a bare node:http server that verifies with the standardwebhooks package and publishes to
//                JetStream awaiting the ack (support/webhook-targets.mjs): the limit of this design
//   (c) noop:    a bare node:http server that reads the body and answers 202
// Prints one JSON line; ratio = (a) rps / (b) rps (target >= 0.8). Each target is measured in
// `rounds` alternating rounds; the median round counts.
import { createHmac, randomBytes } from 'node:crypto';
import { INTEGRATION_ADMIN, PING, STREAMS } from '@autoweave/contracts';
import { freePort, startNatsServer, waitFor } from '@autoweave/testing';
import { connect } from '@nats-io/transport-node';
import { Agent } from 'undici';
import { numberArg, round, runFor } from './load.mjs';
import { asker } from './support/ask.mjs';
import { ChildProcesses, nodeArgsFrom, stopChild } from './support/children.mjs';

if (process.argv.includes('--help')) {
  console.log(`usage: node bench/webhooks-in.bench.mjs [--seconds S] [--concurrency C] [--rounds R]
Needs a build (pnpm build). Prints one JSON line: rps and p50/p99 of gateway, relay and noop at
concurrency C (default 64), S seconds (default 5) per target and round, R rounds (default 3, the median
round counts), and ratio = gateway rps / relay rps (roundRatios: the ratio of each round).
--only gateway|relay|noop measures one target (for profiling). GATEWAY_NODE_ARGS (e.g. "--cpu-prof
--cpu-prof-dir=/tmp/prof") is passed to the gateway process.`);
  process.exit(0);
}
const seconds = numberArg('seconds', 5);
const concurrency = numberArg('concurrency', 64);
const rounds = numberArg('rounds', 3);
// --only gateway|relay|noop: measure one target (for profiling); the ratio is then absent.
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const BODY_BYTES = 1024;
const progress = (msg) => process.stderr.write(`[webhooks-in bench] ${msg}\n`);
const children = new ChildProcesses();

/** A Standard Webhooks payload of exactly `bytes` bytes. */
function webhookBody(bytes) {
  const base = { type: 'user.created', timestamp: new Date().toISOString(), data: { id: 'usr_1', email: 'ada@example.com', note: '' } };
  const padding = bytes - Buffer.byteLength(JSON.stringify(base));
  base.data.note = 'x'.repeat(padding);
  return Buffer.from(JSON.stringify(base));
}

const nats = await startNatsServer();
let client;
try {
  client = await connect({ servers: nats.url });
  const ask = asker(client);
  const secretKey = randomBytes(32).toString('base64');
  const httpPort = await freePort();
  children.service('webhook-gateway', {
    NATS_URL: nats.url,
    AUTOWEAVE_SECRET_KEY: secretKey,
    AUTOWEAVE_HTTP_PORT: String(httpPort),
    AUTOWEAVE_HTTP_HOST: '127.0.0.1',
    AUTOWEAVE_ADMIN_API_KEY: randomBytes(16).toString('hex'),
  }, { nodeArgs: nodeArgsFrom('GATEWAY_NODE_ARGS') });
  // The hub only registers the integration; it is stopped before measuring so it takes no CPU.
  const hub = children.service('hub', { NATS_URL: nats.url, AUTOWEAVE_SECRET_KEY: secretKey, AUTOWEAVE_HEALTH_PORT: String(await freePort()) });
  await waitFor(async () => (await ask(PING.hub, {})).ok, { timeoutMs: 30_000, what: 'the hub' });
  await waitFor(async () => (await ask(PING.webhookGateway, {})).ok, { timeoutMs: 30_000, what: 'the gateway' });
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const registered = await ask(INTEGRATION_ADMIN.register, { name: `bench-in-${Date.now()}`, type: 'webhook', config: { secret } });
  if (!registered.ok) throw new Error(JSON.stringify(registered.error));
  const integrationId = registered.data.id;
  await stopChild(hub);

  // The relay's stream: WEBHOOKS_IN's settings under another name and subject, so the gateway's
  // republisher does not pick up (and spend CPU on) what the relay stores.
  const relayPrefix = 'bench.relay-in';
  const info = await ask(`$JS.API.STREAM.INFO.${STREAMS.webhooksIn.name}`, {});
  const created = await ask('$JS.API.STREAM.CREATE.BENCH_RELAY_IN', { ...info.config, name: 'BENCH_RELAY_IN', subjects: [`${relayPrefix}.>`] });
  if (created.error) throw new Error(JSON.stringify(created.error));
  const { message: relay } = await children.fork('webhook-targets.mjs', ['relay', nats.url, secret, relayPrefix]);
  const { message: noop } = await children.fork('webhook-targets.mjs', ['noop']);

  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const body = webhookBody(BODY_BYTES);
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 30_000 });
  const nonce = randomBytes(4).toString('hex');
  let n = 0;
  const post = (origin, path) => async () => {
    const id = `msg_${nonce}_${++n}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
    const res = await agent.request({
      origin,
      path,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` },
      body,
    });
    await res.body.text();
    if (res.statusCode !== 202) throw new Error(`status ${res.statusCode}`);
  };
  const targets = {
    gateway: post(`http://127.0.0.1:${httpPort}`, `/webhooks/${integrationId}`),
    relay: post(`http://127.0.0.1:${relay.port}`, '/'),
    noop: post(`http://127.0.0.1:${noop.port}`, '/'),
  };
  await waitFor(async () => {
    await targets.gateway();
    return true;
  }, { timeoutMs: 30_000, what: 'the gateway to accept webhooks for the integration' });

  const results = { gateway: [], relay: [], noop: [] };
  for (let r = 1; r <= rounds; r++) {
    for (const [name, send] of Object.entries(targets)) {
      if (only && name !== only) continue;
      await runFor({ seconds: 1, concurrency, send }); // warm-up: connections, JIT
      progress(`round ${r}/${rounds}: ${name} at concurrency ${concurrency} for ${seconds}s`);
      results[name].push(await runFor({ seconds, concurrency, send }));
    }
  }
  const median = (runs) => (runs.length ? [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)] : { rps: NaN });
  const [gateway, relayResult, noopResult] = [median(results.gateway), median(results.relay), median(results.noop)];
  // The republisher works alongside: how far behind it was when the load stopped (0 = it kept up).
  const republisher = await ask(`$JS.API.CONSUMER.INFO.${STREAMS.webhooksIn.name}.webhook-republisher`, {});
  await agent.close();
  console.log(JSON.stringify({
    bench: 'webhooks-in',
    seconds,
    concurrency,
    rounds,
    bodyBytes: body.length,
    gateway,
    relay: relayResult,
    noop: noopResult,
    allRoundsRps: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.map((x) => x.rps)])),
    roundRatios: results.gateway.map((g, i) => round(g.rps / results.relay[i]?.rps)),
    republisherPendingAfter: republisher.num_pending ?? null,
    relayVsNoop: round(relayResult.rps / noopResult.rps),
    ratio: round(gateway.rps / relayResult.rps),
  }));
} finally {
  await children.stopAll();
  await client?.close();
  await nats.stop();
}
