import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DISCOVERY, INTEGRATION_EVENTS, SERVICE_EVENTS, type DiscoveredModule, type DiscoveryScanResult } from '@autoweave/contracts';
import { runService, type RunningService } from '@autoweave/service-kit';
import { freePort, startNatsServer, waitFor, type NatsServerHandle } from '@autoweave/testing';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { DiscoveryConfig } from './config.js';
import { discoveryService } from './discovery.definition.js';
import { sha256 } from './channels/services/spec-source.js';

const spec = (title: string): string =>
  JSON.stringify({
    openapi: '3.0.3',
    info: { title, version: '1.0.0' },
    paths: { '/items': { get: { operationId: 'listItems', responses: { '200': { description: 'ok' } } } } },
  });

const YAML_SPEC = `openapi: 3.0.3
info:
  title: yaml one
  version: "1"
paths:
  /x:
    get:
      operationId: getX
      responses:
        "200":
          description: ok
`;

/** Says it is OpenAPI 3.0 but is not valid (no info.version, an operation without responses). */
const BROKEN_SPEC = JSON.stringify({ openapi: '3.0.3', info: { title: 'broken' }, paths: { '/a': { get: {} } } });

/** A local HTTP service answering `routes` (path -> body) and 404 elsewhere. */
async function httpService(routes: Record<string, string>): Promise<{ url: string; server: Server; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const body = routes[req.url ?? ''];
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': req.url?.endsWith('.yaml') ? 'application/yaml' : 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, hits };
}

/** A NATS micro service written by hand: answers $SRV.PING and $SRV.INFO (io.nats.micro.v1) like the services framework does. */
function microService(nc: NatsConnection, name: string, id: string, metadata: Record<string, string>): { stop(): void } {
  const base = { name, id, version: '1.0.0', metadata };
  const subs: Subscription[] = [];
  const respond = (subject: string, body: object): void => {
    subs.push(nc.subscribe(subject, { callback: (_err, msg) => msg.respond(JSON.stringify(body)) }));
  };
  const ping = { type: 'io.nats.micro.v1.ping_response', ...base };
  const info = { type: 'io.nats.micro.v1.info_response', ...base, description: 'test', endpoints: [{ name: 'items', subject: `${name}.items`, metadata: null }] };
  for (const s of ['$SRV.PING', `$SRV.PING.${name}`, `$SRV.PING.${name}.${id}`]) respond(s, ping);
  for (const s of ['$SRV.INFO', `$SRV.INFO.${name}`, `$SRV.INFO.${name}.${id}`]) respond(s, info);
  return { stop: () => subs.forEach((s) => s.unsubscribe()) };
}

describe('discovery channels on a real nats-server with real HTTP services', () => {
  let nats: NatsServerHandle;
  let discovery: RunningService<DiscoveryConfig>;
  let client: NatsConnection;
  const announced: DiscoveredModule[] = [];
  const servers: Server[] = [];
  let withEndpoint: Awaited<ReturnType<typeof httpService>>;
  let probed: Awaited<ReturnType<typeof httpService>>;
  let garbage: Awaited<ReturnType<typeof httpService>>;
  let yamlOnly: Awaited<ReturnType<typeof httpService>>;
  let unreachable: string;

  const of = (name: string): DiscoveredModule[] => announced.filter((m) => m.name === name);
  const register = async (body: object): Promise<void> => {
    client.publish(SERVICE_EVENTS.registered, JSON.stringify(body));
    await client.flush();
  };
  const scan = async (channels?: string[]): Promise<DiscoveryScanResult> => {
    const msg = await client.request(DISCOVERY.scan, JSON.stringify(channels ? { channels } : {}), { timeout: 10_000 });
    const env = msg.json<{ ok: boolean; data: DiscoveryScanResult; error?: unknown }>();
    if (!env.ok) throw new Error(JSON.stringify(env.error));
    return env.data;
  };

  beforeAll(async () => {
    nats = await startNatsServer();
    client = await connect({ servers: nats.url });
    client.subscribe(INTEGRATION_EVENTS.moduleDiscovered, { callback: (_e, msg) => announced.push(msg.json<DiscoveredModule>()) });
    withEndpoint = await httpService({ '/docs/spec.json': spec('with endpoint'), '/docs/broken.json': BROKEN_SPEC });
    probed = await httpService({ '/v3/api-docs': spec('probed') });
    garbage = await httpService({ '/openapi.json': '{"this is": "not an openapi document"}', '/v3/api-docs': '<html>nope</html>' });
    yamlOnly = await httpService({ '/openapi.yaml': YAML_SPEC });
    servers.push(withEndpoint.server, probed.server, garbage.server, yamlOnly.server);
    unreachable = `http://127.0.0.1:${await freePort()}`;
    discovery = await runService(discoveryService, {
      NATS_URL: nats.url,
      AUTOWEAVE_HEALTH_PORT: '0',
      LOG_LEVEL: 'silent',
      AUTOWEAVE_DISCOVERY_SCAN_INTERVAL_MS: '1000',
      AUTOWEAVE_DISCOVERY_PROBE_TIMEOUT_MS: '1500',
      AUTOWEAVE_DISCOVERY_MICRO_WAIT_MS: '300',
      AUTOWEAVE_DISCOVERY_CHANNELS: 'service,openapi-probe,nats-micro',
    });
  });

  afterAll(async () => {
    await discovery?.stop();
    await client?.close();
    for (const s of servers) s.close();
    await nats?.stop();
  });

  it('reads its settings from the environment', () => {
    expect(discovery.runtime.config).toMatchObject({
      scanIntervalMs: 1000,
      channels: ['service', 'openapi-probe', 'nats-micro'],
      probePaths: ['/openapi.json', '/openapi.yaml', '/v3/api-docs', '/swagger.json', '/api-docs'],
      probeTimeoutMs: 1500,
    });
  });

  it('fetches the spec of a registered service from url + openAPIEndpoint and announces it, stored in KV', async () => {
    await register({ name: 'billing', version: '2.1.0', url: withEndpoint.url, metadata: { integratable: true, openAPIEndpoint: '/docs/spec.json' } });
    const [m] = await waitFor(() => (of('billing').length ? of('billing') : undefined), { what: 'billing announced' });
    expect(m).toEqual({
      name: 'billing',
      source: 'service',
      sourceRef: withEndpoint.url,
      type: 'openapi',
      config: { openAPISpec: JSON.parse(spec('with endpoint')), baseUrl: withEndpoint.url },
      contentHash: sha256(spec('with endpoint')),
      present: true,
      metadata: { service: { name: 'billing', version: '2.1.0' }, openAPIUrl: `${withEndpoint.url}/docs/spec.json` },
    });
    // The record is written once the module is announced (the announcement does not wait for it).
    const kv = discovery.runtime.bucket('services');
    const stored = await waitFor(async () => {
      const keys: string[] = [];
      for await (const k of await kv.keys()) keys.push(k);
      const records = await Promise.all(keys.map(async (k) => (await kv.get(k))!.json<Record<string, unknown>>()));
      return records.find((r) => r.name === 'billing');
    }, { what: 'billing stored' });
    expect(stored).toEqual(expect.objectContaining({ name: 'billing', version: '2.1.0', url: withEndpoint.url, lastSeen: expect.any(Number), source: 'service' }));
  });

  it('announces the same registration once (a re-registration is a heartbeat), also across periodic scans', async () => {
    const body = { name: 'billing', version: '2.1.0', url: withEndpoint.url, metadata: { integratable: true, openAPIEndpoint: '/docs/spec.json' } };
    await register(body);
    await register(body);
    await new Promise((r) => setTimeout(r, 2_500)); // at least two periodic scans
    expect(of('billing')).toHaveLength(1);
  });

  it('probes the usual paths in order and takes the first valid spec (/v3/api-docs)', async () => {
    await register({ name: 'probed-svc', url: probed.url, metadata: { integratable: true } });
    const [m] = await waitFor(() => (of('probed-svc').length ? of('probed-svc') : undefined), { what: 'probed announced' });
    expect(m).toMatchObject({ source: 'openapi-probe', sourceRef: probed.url, present: true, contentHash: sha256(spec('probed')) });
    expect(m.error).toBeUndefined();
    expect((m.config as { openAPISpec: { info: { title: string } } }).openAPISpec.info.title).toBe('probed');
    expect(probed.hits.slice(0, 3)).toEqual(['/openapi.json', '/openapi.yaml', '/v3/api-docs']);
  });

  it('probes a YAML spec and announces it parsed', async () => {
    await register({ name: 'yaml-svc', url: yamlOnly.url, metadata: { integratable: true } });
    const [m] = await waitFor(() => (of('yaml-svc').length ? of('yaml-svc') : undefined), { what: 'yaml announced' });
    expect(m).toMatchObject({ source: 'openapi-probe', present: true, contentHash: sha256(YAML_SPEC) });
    expect((m.config as { openAPISpec: { info: { title: string } } }).openAPISpec.info.title).toBe('yaml one');
  });

  it('announces a spec that says it is OpenAPI without validating it: the hub validates what it registers', async () => {
    await register({ name: 'broken-spec', url: withEndpoint.url, metadata: { integratable: true, openAPIEndpoint: '/docs/broken.json' } });
    const [m] = await waitFor(() => (of('broken-spec').length ? of('broken-spec') : undefined), { what: 'broken-spec announced' });
    expect(m).toMatchObject({ source: 'service', present: true, contentHash: sha256(BROKEN_SPEC), config: { openAPISpec: JSON.parse(BROKEN_SPEC) } });
    expect(m.error).toBeUndefined();
  });

  it('announces an error for a service serving no valid spec', async () => {
    await register({ name: 'garbage-svc', url: garbage.url, metadata: { integratable: true } });
    await register({ name: 'garbage-endpoint', url: garbage.url, metadata: { integratable: true, openAPIEndpoint: '/openapi.json' } });
    const [probedBad] = await waitFor(() => (of('garbage-svc').length ? of('garbage-svc') : undefined), { what: 'garbage announced' });
    expect(probedBad).toMatchObject({ source: 'openapi-probe', present: true, error: expect.stringMatching(/no valid OpenAPI document/) });
    const [endpointBad] = await waitFor(() => (of('garbage-endpoint').length ? of('garbage-endpoint') : undefined), { what: 'garbage endpoint' });
    expect(endpointBad).toMatchObject({ source: 'service', present: true, error: expect.stringMatching(/openapi/i) });
  });

  it('announces an error for an unreachable service, with or without openAPIEndpoint', async () => {
    await register({ name: 'gone-svc', url: unreachable, metadata: { integratable: true, openAPIEndpoint: '/openapi.json' } });
    await register({ name: 'gone-probe', url: unreachable, metadata: { integratable: true } });
    const [a] = await waitFor(() => (of('gone-svc').length ? of('gone-svc') : undefined), { what: 'gone-svc' });
    const [b] = await waitFor(() => (of('gone-probe').length ? of('gone-probe') : undefined), { what: 'gone-probe' });
    expect(a.error).toMatch(/ECONNREFUSED|could not be fetched/);
    expect(b.error).toMatch(/ECONNREFUSED|could not be fetched|no OpenAPI document found/);
  });

  it('ignores a non-integratable service and an invalid registration', async () => {
    await register({ name: 'plain', url: withEndpoint.url });
    await register({ name: 'bad name!', url: 'not a url' });
    await new Promise((r) => setTimeout(r, 300));
    expect(of('plain')).toHaveLength(0);
    expect(of('bad name!')).toHaveLength(0);
  });

  it('announces present:false on deregistration and forgets the service', async () => {
    await register({ name: 'short-lived', url: withEndpoint.url, metadata: { integratable: true, openAPIEndpoint: '/docs/spec.json' } });
    await waitFor(() => of('short-lived').length === 1, { what: 'short-lived announced' });
    client.publish(SERVICE_EVENTS.deregistered, JSON.stringify({ name: 'short-lived' }));
    const gone = await waitFor(() => of('short-lived').find((m) => !m.present), { what: 'short-lived gone' });
    expect(gone).toMatchObject({ name: 'short-lived', source: 'service', present: false });
    const result = await scan(['service']);
    expect(result.found.map((f) => f.name)).not.toContain('short-lived');
  });

  it('marks a service gone once its heartbeats stop for 3 x healthCheck.interval', async () => {
    await register({ name: 'heartbeat', url: withEndpoint.url, metadata: { integratable: true, openAPIEndpoint: '/docs/spec.json', healthCheck: { interval: 1000 } } });
    await waitFor(() => of('heartbeat').length === 1, { what: 'heartbeat announced' });
    const gone = await waitFor(() => of('heartbeat').find((m) => !m.present), { what: 'heartbeat expired', timeoutMs: 8_000 });
    expect(gone).toMatchObject({ name: 'heartbeat', present: false });
    const kv = discovery.runtime.bucket('services');
    const names: string[] = [];
    for await (const k of await kv.keys()) names.push((await kv.get(k))!.json<{ name: string }>().name);
    expect(names).not.toContain('heartbeat');
    expect(names).toContain('billing');
  });

  it('finds a NATS micro service within one scan and announces it gone once it stops answering', async () => {
    const micro = await connect({ servers: nats.url });
    const svc = microService(micro, 'inventory', 'ID1', { integratable: 'true', openapi: `${withEndpoint.url}/docs/spec.json` });
    const other = microService(micro, 'internal', 'ID2', { integratable: 'false' });
    await micro.flush();
    const found = await waitFor(() => of('inventory').find((m) => m.present), { what: 'inventory found', timeoutMs: 3_000 });
    expect(found).toMatchObject({ source: 'nats-micro', sourceRef: 'inventory/ID1', type: 'openapi', contentHash: sha256(spec('with endpoint')) });
    expect(of('internal')).toHaveLength(0);
    svc.stop();
    other.stop();
    await micro.flush();
    const gone = await waitFor(() => of('inventory').find((m) => !m.present), { what: 'inventory gone', timeoutMs: 3_000 });
    expect(gone).toMatchObject({ source: 'nats-micro', sourceRef: 'inventory/ID1', present: false });
    expect(of('inventory')).toHaveLength(2);
    await micro.close();
  });

  it('reads a micro service spec answered on a NATS subject', async () => {
    const micro = await connect({ servers: nats.url });
    micro.subscribe('specs.orders', { callback: (_e, msg) => msg.respond(YAML_SPEC) });
    const svc = microService(micro, 'orders', 'ID3', { integratable: 'true', openapi: 'specs.orders' });
    await micro.flush();
    const result = await scan(['nats-micro']);
    expect(result.found).toContainEqual({ name: 'orders', source: 'nats-micro', sourceRef: 'orders/ID3', type: 'openapi', present: true });
    const m = await waitFor(() => of('orders').find((x) => x.present), { what: 'orders' });
    expect(m.contentHash).toBe(sha256(YAML_SPEC));
    svc.stop();
    await micro.close();
  });

  it('discovery.scan runs the enabled channels now and returns what they found', async () => {
    const result = await scan();
    expect(result.durationMs).toEqual(expect.any(Number));
    const names = result.found.map((f) => `${f.source}:${f.name}:${f.present}:${f.error ? 'error' : 'ok'}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'service:billing:true:ok',
        'openapi-probe:probed-svc:true:ok',
        'openapi-probe:garbage-svc:true:error',
        'service:gone-svc:true:error',
      ]),
    );
    const bad = await client.request(DISCOVERY.scan, JSON.stringify({ channels: ['nope'] }), { timeout: 5_000 });
    expect(bad.json<{ ok: boolean; error: { code: string } }>()).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });
});
