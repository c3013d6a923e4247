import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BUCKETS, INTEGRATION_ADMIN, PIPELINE_ADMIN, STREAMS, type IntegrationView, type PipelineRunStarted, type PipelineStatusView, type PipelineView } from '@autoweave/contracts';
import { createTestDatabase, testPool, waitFor, type TestDatabase } from '@autoweave/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import type { Msg } from '@nats-io/transport-node';
import { useBackend } from './support/backend.js';

/** A distinctive value no service would print by chance. */
const secret = (kind: string): string => `${kind}${randomBytes(12).toString('hex')}`;

const SECRETS = {
  apiKey: secret('apikey-'),
  queryApiKey: secret('queryapikey-'),
  bearer: secret('bearer-'),
  basicPassword: secret('basicpw-'),
  clientSecret: secret('clientsecret-'),
  wrongClientSecret: secret('wrongsecret-'),
  accessToken: secret('accesstoken-'),
  inboundSigning: `whsec_${randomBytes(24).toString('base64')}`,
  outboundSigning: `whsec_${randomBytes(24).toString('base64')}`,
  dbPassword: secret('dbpw'),
};
const BASIC_USER = 'scan-user';
const CLIENT_ID = 'scan-client';
/** Encoded forms a secret travels in (an Authorization header): finding these is a leak as well. */
const ENCODED = {
  basicHeader: Buffer.from(`${BASIC_USER}:${SECRETS.basicPassword}`).toString('base64'),
  clientBasic: Buffer.from(`${CLIENT_ID}:${SECRETS.clientSecret}`).toString('base64'),
};
const ALL: Record<string, string> = { ...SECRETS, ...ENCODED };

/** Names of the secrets `text` contains. */
function leaks(text: string): string[] {
  return Object.entries(ALL)
    .filter(([, value]) => text.includes(value))
    .map(([name]) => name);
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** An upstream that checks every kind of credential, fails on /boom, and is its own OAuth2 token endpoint. */
function upstream(): Server {
  return createServer((req, res) => {
    void (async () => {
      const form = new URLSearchParams(await body(req));
      const json = (status: number, payload: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      if (req.url === '/token') {
        const basic = req.headers.authorization === `Basic ${ENCODED.clientBasic}`;
        const inForm = form.get('client_id') === CLIENT_ID && form.get('client_secret') === SECRETS.clientSecret;
        return basic || inForm ? json(200, { access_token: SECRETS.accessToken, token_type: 'bearer', expires_in: 3600 }) : json(401, { error: 'invalid_client' });
      }
      const authorised =
        req.headers['x-api-key'] === SECRETS.apiKey ||
        new URL(req.url ?? '/', 'http://x').searchParams.get('api_key') === SECRETS.queryApiKey ||
        req.headers.authorization === `Bearer ${SECRETS.bearer}` ||
        req.headers.authorization === `Basic ${ENCODED.basicHeader}` ||
        req.headers.authorization === `Bearer ${SECRETS.accessToken}`;
      if (!authorised) return json(401, { error: 'unauthorised' });
      if (req.url?.startsWith('/boom')) return json(500, { error: 'exploded' });
      if (req.url?.startsWith('/slow')) return void setTimeout(() => json(200, {}), 3000);
      return json(200, { items: [{ id: 1 }] });
    })();
  });
}

const spec = (url: string) => ({
  openapi: '3.1.0',
  info: { title: 'Scanned', version: '1' },
  servers: [{ url }],
  paths: {
    '/things': { get: { operationId: 'listThings', responses: { 200: { description: 'ok' } } } },
    '/boom': { get: { operationId: 'boom', responses: { 200: { description: 'ok' } } } },
    '/slow': { get: { operationId: 'slow', responses: { 200: { description: 'ok' } } } },
  },
});

/**
 * Every secret the backend is given (integration credentials of each auth
 * kind, an OAuth2 access token, webhook signing secrets, a database password,
 * an API key) is used, then looked for everywhere it must not be: service
 * output, every stored JetStream message, every message on the bus, manifests,
 * the audit log and every HTTP reply.
 */
describe('secrets never leave sealed storage: logs, streams, bus traffic, manifests, audit and replies are scanned', () => {
  const backend = useBackend();
  const bus: Msg[] = [];
  const server = upstream();
  const receiver = createServer((req, res) => void body(req).then(() => res.writeHead(204).end()));
  let db: TestDatabase;
  let upstreamUrl: string;
  let receiverUrl: string;
  let createdKey: string;
  /** Generated Kubernetes manifests as served (YAML and JSON). */
  const manifests: string[] = [];
  /** Reply bodies that show a secret by design (the created API key, once). */
  const shownOnce = new Set<string>();

  beforeAll(async () => {
    backend.nc.subscribe('>', {
      callback: (_err, msg) => {
        bus.push(msg);
      },
    });
    await backend.nc.flush();
    for (const s of [server, receiver]) await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    db = await createTestDatabase('autoweave_e2e_secrets');
  });

  afterAll(async () => {
    for (const s of [server, receiver]) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
    await db?.drop();
  });

  it('uses every secret', async () => {
    const auths = {
      apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', apiKey: SECRETS.apiKey },
      bearer: { type: 'bearer', token: SECRETS.bearer },
      basic: { type: 'basic', username: BASIC_USER, password: SECRETS.basicPassword },
      oauth2: { type: 'oauth2', clientId: CLIENT_ID, clientSecret: SECRETS.clientSecret, tokenUrl: `${upstreamUrl}/token` },
      queryApiKey: { type: 'apiKey', in: 'query', name: 'api_key', apiKey: SECRETS.queryApiKey },
      oauth2Wrong: { type: 'oauth2', clientId: CLIENT_ID, clientSecret: SECRETS.wrongClientSecret, tokenUrl: `${upstreamUrl}/token` },
    };
    const ids: Record<string, string> = {};
    for (const [kind, auth] of Object.entries(auths)) {
      // The query-key integration times out quickly: its /slow call is the timed-out one.
      const config = { openAPISpec: spec(upstreamUrl), auth, ...(kind === 'queryApiKey' ? { timeoutMs: 500 } : {}) };
      const res = await backend.api.call<IntegrationView>('POST', '/api/integration/register', { name: `Scanned ${kind}`, type: 'openapi', config });
      expect(res.status).toBe(201);
      ids[kind] = res.body.id;
    }
    for (const kind of ['apiKey', 'queryApiKey', 'bearer', 'basic', 'oauth2']) {
      const ok = await backend.api.call<{ status: number }>('POST', `/api/integration/${ids[kind]}/execute`, { action: 'listThings' });
      expect([kind, ok.status, ok.body.status]).toEqual([kind, 200, 200]);
      const failed = await backend.api.call('POST', `/api/integration/${ids[kind]}/execute`, { action: 'boom' });
      expect([kind, failed.status]).toEqual([kind, 502]);
    }
    const refused = await backend.api.call('POST', `/api/integration/${ids.oauth2Wrong}/execute`, { action: 'listThings' });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    // A key in the query string is part of the URL: a timed-out call and an unreachable upstream must not show it.
    const timedOut = await backend.api.call('POST', `/api/integration/${ids.queryApiKey}/execute`, { action: 'slow' });
    expect(timedOut.status).toBeGreaterThanOrEqual(500);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    for (const [kind, auth] of Object.entries({ deadQuery: auths.queryApiKey, deadOauth2: { ...auths.oauth2, tokenUrl: `${deadUrl}/token` } })) {
      const res = await backend.api.call<IntegrationView>('POST', '/api/integration/register', { name: `Scanned ${kind}`, type: 'openapi', config: { openAPISpec: spec(deadUrl), auth } });
      expect(res.status).toBe(201);
      const unreachable = await backend.api.call('POST', `/api/integration/${res.body.id}/execute`, { action: 'listThings' });
      expect([kind, unreachable.status >= 500]).toEqual([kind, true]);
    }

    // Manifests of an OpenAPI integration, generated on registration and fetched through the API.
    // The YAML form is not JSON, so it is fetched here rather than through the API client; both forms are scanned.
    const manifest = async (id: string, query = ''): Promise<number> => {
      const res = await fetch(`${backend.stack.gatewayUrl}/api/integration/${id}/manifests${query}`, { headers: { authorization: `Bearer ${backend.stack.adminKey}` } });
      const text = await res.text();
      manifests.push(text);
      return res.status;
    };
    for (const kind of ['apiKey', 'bearer', 'basic', 'oauth2']) {
      await waitFor(async () => (await manifest(ids[kind]!)) === 200, { timeoutMs: 20_000, what: `manifests of the ${kind} integration` });
      expect(await manifest(ids[kind]!, '?format=json')).toBe(200);
    }

    // Inbound webhooks verified with a given secret; outbound deliveries signed with another.
    const inbound = await backend.api.call<IntegrationView>('POST', '/api/integration/register', { name: 'Scanned inbound', type: 'webhook', config: { secret: SECRETS.inboundSigning } });
    expect(inbound.status).toBe(201);
    const outbound = await backend.api.call<IntegrationView>('POST', '/api/integration/register', {
      name: 'Scanned outbound',
      type: 'webhook',
      config: { url: receiverUrl, events: ['scan.*'], secret: SECRETS.outboundSigning },
    });
    expect(outbound.status).toBe(201);
    expect((await backend.api.call('POST', '/api/events/publish', { topic: 'scan.happened', data: { n: 1 } })).status).toBe(202);
    await waitFor(async () => {
      const res = await backend.api.call<{ items: Array<{ outcome: string }> }>('GET', `/api/integration/${outbound.body.id}/deliveries`);
      return res.body.items.some((i) => i.outcome === 'succeeded');
    }, { timeoutMs: 20_000, what: 'the webhook delivery' });

    // A pipeline whose connection string carries a password (trust auth accepts and ignores it).
    const url = new URL(db.url);
    url.password = SECRETS.dbPassword;
    const pool = testPool(db.url, 1);
    await pool.query('CREATE TABLE things (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL DEFAULT now())');
    await pool.query('INSERT INTO things (id) SELECT generate_series(1, 20)');
    await pool.end();
    const conn = url.toString();
    const pipeline = await backend.api.call<PipelineView>('POST', '/api/pipeline/register', {
      name: 'scanned pipeline',
      source: { type: 'postgres', config: { connectionString: conn, table: 'things', keyColumns: ['id'], cursorColumn: 'updated_at' } },
      processors: [],
      destination: { type: 'postgres', config: { connectionString: conn, table: 'things_copy', keyColumns: ['id'], createTable: true, columns: [{ name: 'id', type: 'bigint' }, { name: 'updated_at', type: 'timestamptz' }] } },
      batchSize: 10,
      schedule: { type: 'manual' },
    });
    expect(pipeline.status).toBe(201);
    const run = await backend.api.call<PipelineRunStarted>('POST', `/api/pipeline/${pipeline.body.id}/execute`);
    const status = await waitFor(async () => {
      const s = (await backend.api.call<PipelineStatusView>('GET', `/api/pipeline/${pipeline.body.id}/status`)).body;
      return s.lastRun?.runId === run.body.runId ? s : undefined;
    }, { timeoutMs: 30_000, what: 'the pipeline run' });
    expect(status.lastRun).toMatchObject({ outcome: 'completed', written: 20 });
    // A pipeline that fails: its error must not carry the connection string either.
    const broken = await backend.api.call<PipelineView>('POST', '/api/pipeline/register', {
      name: 'scanned broken pipeline',
      source: { type: 'postgres', config: { connectionString: conn, table: 'no_such_table', keyColumns: ['id'], cursorColumn: 'updated_at' } },
      processors: [],
      destination: { type: 'postgres', config: { connectionString: conn, table: 'things_copy', keyColumns: ['id'] } },
      schedule: { type: 'manual' },
    });
    const brokenRun = await backend.api.call<PipelineRunStarted>('POST', `/api/pipeline/${broken.body.id}/execute`);
    const brokenStatus = await waitFor(async () => {
      const s = (await backend.api.call<PipelineStatusView>('GET', `/api/pipeline/${broken.body.id}/status`)).body;
      return s.lastRun?.runId === brokenRun.body.runId ? s : undefined;
    }, { timeoutMs: 30_000, what: 'the failing pipeline run' });
    expect(brokenStatus.lastRun?.outcome).toBe('failed');

    // An API key, used for audit-logged calls.
    const key = await backend.api.call<{ key: string }>('POST', '/api/keys', { name: 'scanned key', scopes: ['read', 'write'] });
    expect(key.status).toBe(201);
    createdKey = key.body.key;
    shownOnce.add(JSON.stringify(key.body));
    const asKey = backend.api.withKey(createdKey);
    expect((await asKey.call('POST', `/api/integration/${ids.bearer}/disable`)).status).toBe(200);
    expect((await asKey.call('POST', `/api/integration/${ids.bearer}/enable`)).status).toBe(200);
    expect((await asKey.call('GET', `/api/integration/${ids.apiKey}`)).status).toBe(200);
  });

  it('finds no secret in anything the services printed', () => {
    expect(createdKey).toBeDefined(); // the secrets were all used
    const found = backend.stack
      .allOutput()
      .split('\n')
      .flatMap((line) => leaks(line).map((name) => `${name} in: ${line.slice(0, 300)}`));
    expect(found).toEqual([]);
    expect(backend.stack.allOutput()).not.toContain(createdKey);
  });

  it('finds no secret in the generated manifests, the audit log or any HTTP reply', async () => {
    expect(createdKey).toBeDefined();
    const audit = await waitFor(async () => {
      const res = await backend.api.call<{ items: unknown[] }>('GET', '/api/audit?limit=500');
      return res.body.items.length > 10 ? res : undefined;
    }, { what: 'audit entries' });
    expect(leaks(JSON.stringify(audit.body))).toEqual([]);
    expect(manifests.filter((m) => m.includes('kind')).length).toBeGreaterThanOrEqual(8);
    expect(manifests.flatMap((m) => leaks(m).map((name) => `${name} in a manifest: ${m.slice(0, 300)}`))).toEqual([]);
    const replies = backend.api.seenBodies.filter((b) => !shownOnce.has(b));
    const found = replies.flatMap((b) => leaks(b).map((name) => `${name} in: ${b.slice(0, 300)}`));
    expect(found).toEqual([]);
    expect(replies.filter((b) => b.includes(createdKey))).toEqual([]);
  });

  it('finds no plaintext secret in any JetStream stream or KV bucket', async () => {
    expect(createdKey).toBeDefined();
    const jsm = await jetstreamManager(backend.nc);
    const names = [...Object.values(STREAMS).map((s) => s.name), ...Object.values(BUCKETS).map((b) => `KV_${b}`)];
    const found: string[] = [];
    let scanned = 0;
    const perStream: Record<string, number> = {};
    for (const name of names) {
      const info = await jsm.streams.info(name).catch(() => undefined);
      if (!info) continue;
      for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
        const msg = await jsm.streams.getMessage(name, { seq }).catch(() => undefined);
        if (!msg) continue;
        scanned++;
        perStream[name] = (perStream[name] ?? 0) + 1;
        const text = `${msg.subject} ${msg.header ? [...msg.header].map(([k, v]) => `${k}:${v.join(',')}`).join(' ') : ''} ${new TextDecoder().decode(msg.data)}`;
        for (const leak of [...leaks(text), ...(text.includes(createdKey) ? ['createdKey'] : [])]) found.push(`${leak} in ${name} seq ${seq} (${msg.subject})`);
      }
    }
    expect(scanned).toBeGreaterThan(20);
    // The sealed records were among what was read.
    expect(perStream[`KV_${BUCKETS.integrations}`]).toBeGreaterThanOrEqual(7);
    expect(perStream[`KV_${BUCKETS.pipelines}`]).toBeGreaterThanOrEqual(2);
    expect(found).toEqual([]);
  });

  it('finds no secret in the bus traffic, except in the requests that hand the input to its owner', () => {
    expect(createdKey).toBeDefined();
    // The register/update requests carry what the API caller sent, to the one service that seals it.
    const inputs = new Set<string>([INTEGRATION_ADMIN.register, INTEGRATION_ADMIN.update, PIPELINE_ADMIN.register, ...('update' in PIPELINE_ADMIN ? [String(PIPELINE_ADMIN.update)] : [])]);
    const found: string[] = [];
    const handedOver = new Set<string>();
    for (const msg of bus) {
      const text = `${msg.headers ? [...msg.headers].map(([k, v]) => `${k}:${v.join(',')}`).join(' ') : ''} ${new TextDecoder().decode(msg.data)}`;
      if (inputs.has(msg.subject)) {
        for (const leak of leaks(text)) handedOver.add(leak);
        continue;
      }
      for (const leak of [...leaks(text), ...(text.includes(createdKey) ? ['createdKey'] : [])]) found.push(`${leak} on ${msg.subject}: ${text.slice(0, 300)}`);
    }
    // The subscriber saw the traffic, and the scan finds a secret where one is: in the register requests.
    expect([...handedOver].sort()).toEqual(['apiKey', 'basicPassword', 'bearer', 'clientSecret', 'dbPassword', 'inboundSigning', 'outboundSigning', 'queryApiKey', 'wrongClientSecret']);
    expect(bus.length).toBeGreaterThan(50);
    expect(found).toEqual([]);
  });
});
