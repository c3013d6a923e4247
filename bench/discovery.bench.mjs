// From `service.registered` to `integration.created`: how long does discovery take a service in,
// against one plain HTTP GET of the same spec, in the same run?
// 200 services (one local HTTP server, a base path each) are registered one after another through
// the discovery and hub processes; each latency is measured from the publish to the created event.
// Prints one JSON line; ratio = median discovery latency / median plain fetch.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { INTEGRATION_EVENTS, PING, SERVICE_EVENTS } from '@autoweave/contracts';
import { freePort, startNatsServer, waitFor } from '@autoweave/testing';
import { connect } from '@nats-io/transport-node';
import { Agent } from 'undici';
import { numberArg } from './load.mjs';
import { ChildProcesses } from './support/children.mjs';

if (process.argv.includes('--help')) {
  console.log('usage: node bench/discovery.bench.mjs [--services N]\nNeeds a build. Prints one JSON line: discovery latency median/p99, plain fetch median/p99, ratio.');
  process.exit(0);
}
const services = numberArg('services', 200);
const progress = (msg) => process.stderr.write(`[discovery bench] ${msg}\n`);

const specOf = (i) => JSON.stringify({
  openapi: '3.0.3',
  info: { title: `Service ${i}`, version: '1.0.0' },
  paths: {
    '/items': { get: { operationId: 'listItems', parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' } }], responses: { 200: { description: 'ok' } } } },
    '/items/{id}': { get: { operationId: 'getItem', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'ok' } } } },
    '/health': { get: { operationId: 'health', responses: { 200: { description: 'ok' } } } },
  },
});
const http = createServer((req, res) => {
  const match = /^\/svc-(\d+)\/openapi\.json$/.exec(req.url ?? '');
  res.writeHead(match ? 200 : 404, { 'content-type': 'application/json' });
  res.end(match ? specOf(match[1]) : '{}');
});
await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${http.address().port}`;

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Number(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(2));
};

const nats = await startNatsServer();
const children = new ChildProcesses();
const start = async (service, extraEnv) => children.service(service, { NATS_URL: nats.url, AUTOWEAVE_HEALTH_PORT: String(await freePort()), ...extraEnv });
let nc;
try {
  await start('hub', { AUTOWEAVE_SECRET_KEY: randomBytes(32).toString('base64') });
  await start('discovery', { AUTOWEAVE_DISCOVERY_SCAN_INTERVAL_MS: '600000' });
  nc = await connect({ servers: nats.url });
  const ping = async (subject) => JSON.parse(new TextDecoder().decode((await nc.request(subject, '', { timeout: 2000 })).data)).ok;
  await waitFor(async () => (await ping(PING.hub)) && (await ping(PING.discovery)), { timeoutMs: 30000, what: 'hub and discovery' });

  const waiting = new Map();
  // Where the time goes: publish -> announced by discovery (stage 1) -> created by the hub (stage 2).
  const announcedAt = new Map();
  const announced = nc.subscribe(INTEGRATION_EVENTS.moduleDiscovered, {
    callback: (_err, msg) => announcedAt.set(msg.json().name, performance.now()),
  });
  const stage1 = [];
  const stage2 = [];
  const created = nc.subscribe(INTEGRATION_EVENTS.created, {
    callback: (_err, msg) => {
      const { name } = msg.json();
      waiting.get(name)?.();
    },
  });
  const discover = (i) =>
    new Promise((resolve, reject) => {
      const name = `svc-${i}`;
      const t0 = performance.now();
      const timer = setTimeout(() => reject(new Error(`${name} not integrated within 10 s`)), 10000);
      waiting.set(name, () => {
        const t2 = performance.now();
        clearTimeout(timer);
        waiting.delete(name);
        const t1 = announcedAt.get(name);
        if (t1 !== undefined) {
          stage1.push(t1 - t0);
          stage2.push(t2 - t1);
        }
        resolve(t2 - t0);
      });
      nc.publish(SERVICE_EVENTS.registered, JSON.stringify({ name, version: '1.0.0', url: `${base}/svc-${i}`, metadata: { integratable: true, openAPIEndpoint: '/openapi.json' } }));
    });

  await discover(services + 1); // warm-up: JIT, connections, the hub's first spec validation
  progress(`registering ${services} services one after another`);
  const discovery = [];
  for (let i = 0; i < services; i++) discovery.push(await discover(i));
  created.unsubscribe();
  announced.unsubscribe();

  // The baseline: one plain GET of the same spec on a new connection, as discovery makes one per service.
  const fetchOnce = async (i) => {
    const agent = new Agent({ pipelining: 0 });
    const t0 = performance.now();
    const res = await agent.request({ origin: base, path: `/svc-${i}/openapi.json`, method: 'GET' });
    await res.body.text();
    const ms = performance.now() - t0;
    await agent.close();
    return ms;
  };
  await fetchOnce(0);
  const plain = [];
  for (let i = 0; i < services; i++) plain.push(await fetchOnce(i));

  console.log(JSON.stringify({
    bench: 'discovery',
    services,
    discoveryMs: { median: percentile(discovery, 0.5), p99: percentile(discovery, 0.99) },
    plainFetchMs: { median: percentile(plain, 0.5), p99: percentile(plain, 0.99) },
    stagesMedianMs: { discovery: percentile(stage1, 0.5), hub: percentile(stage2, 0.5) },
    ratio: Number((percentile(discovery, 0.5) / percentile(plain, 0.5)).toFixed(3)),
  }));
} finally {
  await nc?.close();
  await children.stopAll();
  await nats.stop();
  http.close();
}
