// What do the hub's guarantees cost? Three ways to GET /items/{id} from one local upstream,
// at concurrency 64 for a fixed time each, all in one run:
//   (a) hub:    client -> NATS -> hub (validation, auth, rate limit, breaker, timeout,
//               metrics, events, logs) -> upstream -> back, via integration.request.execute
//   (b) relay:  client -> NATS -> a bare nats.js + undici responder -> upstream -> back
//   (c) direct: client -> upstream with undici
// Prints one JSON line; ratio = (a) rps / (b) rps. Also p50 at concurrency 1 for (a) and (c).
import { randomBytes } from 'node:crypto';
import { INTEGRATION_ADMIN, INTEGRATION_REQUEST, PING } from '@autoweave/contracts';
import { freePort, startNatsServer, waitFor } from '@autoweave/testing';
import { connect } from '@nats-io/transport-node';
import { Agent } from 'undici';
import { runFor, numberArg } from './load.mjs';
import { asker } from './support/ask.mjs';
import { ChildProcesses, nodeArgsFrom } from './support/children.mjs';

if (process.argv.includes('--help')) {
  console.log(`usage: node bench/execute.bench.mjs [--seconds S] [--concurrency C]
Needs a build (pnpm build). Prints one JSON line: rps and p50/p99 of hub, relay and direct at
concurrency C (default 64), p50 at concurrency 1, and ratio = hub rps / relay rps.`);
  process.exit(0);
}
const seconds = numberArg('seconds', 5);
const concurrency = numberArg('concurrency', 64);
const progress = (msg) => process.stderr.write(`[execute bench] ${msg}\n`);

const children = new ChildProcesses();

const nats = await startNatsServer();
const decoder = new TextDecoder();
let client;
try {
  const { port } = (await children.fork('upstream.mjs')).message;
  const upstream = `http://127.0.0.1:${port}`;
  await children.fork('relay.mjs', [nats.url, upstream]);
  // HUB_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the hub under load.
  children.service(
    'hub',
    { NATS_URL: nats.url, AUTOWEAVE_SECRET_KEY: randomBytes(32).toString('base64'), AUTOWEAVE_HEALTH_PORT: String(await freePort()) },
    { nodeArgs: nodeArgsFrom('HUB_NODE_ARGS') },
  );
  client = await connect({ servers: nats.url });
  const ask = asker(client);
  await waitFor(async () => (await ask(PING.hub, {})).ok, { timeoutMs: 30000, what: 'the hub' });
  const spec = {
    openapi: '3.0.3',
    info: { title: 'Items', version: '1' },
    servers: [{ url: upstream }],
    paths: { '/items/{id}': { get: { operationId: 'getItem', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }], responses: { 200: { description: 'ok' } } } } },
  };
  const registered = await ask(INTEGRATION_ADMIN.register, { name: `bench-${Date.now()}`, type: 'openapi', config: { openAPISpec: spec } });
  if (!registered.ok) throw new Error(JSON.stringify(registered.error));
  const integrationId = registered.data.id;

  const okOrThrow = (reply) => {
    const body = JSON.parse(decoder.decode(reply.data));
    if (!body.ok) throw new Error(body.error.code);
  };
  let n = 0;
  const viaHub = () => client.request(INTEGRATION_REQUEST.execute, JSON.stringify({ integrationId, action: 'getItem', params: { id: ++n % 1000 } }), { timeout: 10000 }).then(okOrThrow);
  const viaRelay = () => client.request('bench.relay', JSON.stringify({ params: { id: ++n % 1000 } }), { timeout: 10000 }).then(okOrThrow);
  const agent = new Agent({ connections: 64, keepAliveTimeout: 30000 });
  const direct = async () => {
    const res = await agent.request({ origin: upstream, path: `/items/${++n % 1000}`, method: 'GET' });
    await res.body.json();
  };

  const measure = async (name, send, c) => {
    await runFor({ seconds: 1, concurrency: c, send }); // warm-up: pools, JIT, caches
    progress(`${name} at concurrency ${c} for ${seconds}s`);
    return runFor({ seconds, concurrency: c, send });
  };
  const hubResult = await measure('hub', viaHub, concurrency);
  const relayResult = await measure('relay', viaRelay, concurrency);
  const directResult = await measure('direct', direct, concurrency);
  const hub1 = await measure('hub', viaHub, 1);
  const direct1 = await measure('direct', direct, 1);
  await agent.close();
  console.log(JSON.stringify({
    bench: 'execute',
    seconds,
    concurrency,
    hub: hubResult,
    relay: relayResult,
    direct: directResult,
    concurrency1: { hubP50Ms: hub1.p50Ms, directP50Ms: direct1.p50Ms, hubAddsP50Ms: Number((hub1.p50Ms - direct1.p50Ms).toFixed(3)) },
    ratio: Number((hubResult.rps / relayResult.rps).toFixed(3)),
  }));
} finally {
  await children.stopAll();
  await client?.close();
  await nats.stop();
}
