import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { BUCKETS, INTEGRATION_RECORD_PREFIX, type ExecuteResult, type IntegrationView, type PipelineRunStarted, type PipelineStatusView, type PipelineView } from '@autoweave/contracts';
import { createTestDatabase, testPool, waitFor, type TestDatabase } from '@autoweave/testing';
import type pg from 'pg';
import { useBackend } from './support/backend.js';
import { listenLocal, signedWebhookHeaders } from './support/local-servers.js';
import type { ServiceName } from './support/stack.js';

const API_KEY = `upstream-key-${randomBytes(8).toString('hex')}`;
const ROWS = 20;
/** Key prefix of pipeline definitions in the pipelines bucket (services/pipeline-worker/src/pipelines/pipeline-record.ts). */
const PIPELINE_PREFIX = 'p.';
/** The services that open sealed secrets. Gateway and worker first: the hub re-seals integrations they read. */
const KEY_USERS: ServiceName[] = ['webhook-gateway', 'pipeline-worker', 'hub'];

/** The id a sealed value names its key by (docs/SECURITY.md): the first 8 hex characters of the key's sha256. */
const keyIdOf = (key: string): string => createHash('sha256').update(Buffer.from(key, 'base64')).digest('hex').slice(0, 8);

/** Every sealed value (`v1.<key id>.<iv>.<tag>.<ct>`) anywhere in a JSON value, as its key id. */
function sealedKeyIds(value: unknown): string[] {
  if (typeof value === 'string') {
    const match = /^v1\.([0-9a-f]{8})\.[^.]+\.[^.]+\.[^.]*$/.exec(value);
    return match ? [match[1]!] : [];
  }
  if (Array.isArray(value)) return value.flatMap(sealedKeyIds);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(sealedKeyIds);
  return [];
}


/**
 * Rotating AUTOWEAVE_SECRET_KEY on the whole backend (processes on a private
 * nats-server): the services restart with the new key and the old one as
 * previous, re-seal every stored secret, and keep working with the new key alone.
 */
describe('encryption key rotation end to end', () => {
  const backend = useBackend();
  const oldKey = () => backend.stack.secretKey;
  const newKey = randomBytes(32).toString('base64');
  let upstream: Server;
  const seenApiKeys: string[] = [];
  let db: TestDatabase;
  let pool: pg.Pool;
  let openapi: IntegrationView;
  let webhook: { id: string; secret: string };
  let pipeline: PipelineView;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      seenApiKeys.push(String(req.headers['x-api-key']));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true }));
    });
    const url = await listenLocal(upstream);
    const spec = { openapi: '3.1.0', info: { title: 'Keyed', version: '1' }, servers: [{ url }], paths: { '/ping': { get: { operationId: 'ping', responses: { 200: { description: 'ok' } } } } } };
    const registered = await backend.api.call<IntegrationView>('POST', '/api/integration/register', { name: 'Keyed API', type: 'openapi', config: { openAPISpec: spec, auth: { type: 'apiKey', apiKey: API_KEY } } });
    expect(registered.status).toBe(201);
    openapi = registered.body;

    const hook = await backend.api.call<IntegrationView & { secret: string }>('POST', '/api/integration/register', { name: 'Rotated Hook', type: 'webhook', config: {} });
    expect(hook.status).toBe(201);
    webhook = { id: hook.body.id, secret: hook.body.secret };

    db = await createTestDatabase('autoweave_e2e_key_rotation');
    pool = testPool(db.url, 2);
    await pool.query('CREATE TABLE src (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL DEFAULT now())');
    await pool.query(`INSERT INTO src (id) SELECT g FROM generate_series(1, ${ROWS}) g`);
    const created = await backend.api.call<PipelineView>('POST', '/api/pipeline/register', {
      name: 'rotation copy',
      source: { type: 'postgres', config: { connectionString: db.url, table: 'src', keyColumns: ['id'], cursorColumn: 'updated_at' } },
      destination: {
        type: 'postgres',
        config: { connectionString: db.url, table: 'dst', keyColumns: ['id'], createTable: true, columns: [{ name: 'id', type: 'bigint' }, { name: 'updated_at', type: 'timestamptz' }] },
      },
      schedule: { type: 'manual' },
    });
    expect(created.status).toBe(201);
    pipeline = created.body;
  });

  afterAll(async () => {
    await new Promise((r) => upstream?.close(r));
    await pool?.end();
    await db?.drop();
  });

  /** The current value of a KV key, straight from the bucket's stream over NATS. */
  async function kvValue(bucket: string, key: string): Promise<unknown> {
    const reply = await backend.nc.request(`$JS.API.STREAM.MSG.GET.KV_${bucket}`, JSON.stringify({ last_by_subj: `$KV.${bucket}.${key}` }), { timeout: 5000 });
    const { message } = JSON.parse(new TextDecoder().decode(reply.data)) as { message: { data: string } };
    return JSON.parse(Buffer.from(message.data, 'base64').toString('utf8'));
  }

  /** The key ids of every sealed secret stored for the three records. */
  async function storedKeyIds(): Promise<string[]> {
    const records = await Promise.all([
      kvValue(BUCKETS.integrations, INTEGRATION_RECORD_PREFIX + openapi.id),
      kvValue(BUCKETS.integrations, INTEGRATION_RECORD_PREFIX + webhook.id),
      kvValue(BUCKETS.pipelines, PIPELINE_PREFIX + pipeline.id),
    ]);
    return records.flatMap(sealedKeyIds);
  }

  /** Everything that needs a stored secret, exercised: execute with the API key, a signed webhook, a pipeline run on the connection string. */
  async function expectSecretsWork(): Promise<void> {
    seenApiKeys.length = 0;
    const executed = await waitFor(async () => {
      const res = await backend.api.call<ExecuteResult>('POST', `/api/integration/${openapi.id}/execute`, { action: 'ping' });
      return res.status === 200 ? res : undefined;
    }, { timeoutMs: 20_000, what: 'an execute call' });
    expect(executed.body).toMatchObject({ status: 200, body: { ok: true } });
    expect(seenApiKeys).toContain(API_KEY);
    expect(seenApiKeys.every((k) => k === API_KEY)).toBe(true);

    const body = JSON.stringify({ type: 'rotation.checked', data: { at: Date.now() } });
    const accepted = await waitFor(async () => {
      const res = await fetch(`${backend.stack.gatewayUrl}/webhooks/${webhook.id}`, { method: 'POST', headers: signedWebhookHeaders(webhook.secret, body), body });
      return res.status === 202 ? res : undefined;
    }, { timeoutMs: 20_000, what: 'the signed webhook to be accepted' });
    expect(accepted.status).toBe(202);

    const started = await waitFor(async () => {
      const res = await backend.api.call<PipelineRunStarted>('POST', `/api/pipeline/${pipeline.id}/execute`);
      return res.status === 202 ? res : undefined;
    }, { timeoutMs: 20_000, what: 'the pipeline run to start' });
    const status = await waitFor(async () => {
      const s = (await backend.api.call<PipelineStatusView>('GET', `/api/pipeline/${pipeline.id}/status`)).body;
      return s.lastRun?.runId === started.body.runId ? s : undefined;
    }, { timeoutMs: 30_000, what: 'the pipeline run to end' });
    expect(status.lastRun).toMatchObject({ outcome: 'completed', failed: 0 });
    expect(Number((await pool.query('SELECT count(*)::int AS n FROM dst')).rows[0].n)).toBe(ROWS);
  }

  async function restartKeyUsers(env: NodeJS.ProcessEnv): Promise<void> {
    for (const name of KEY_USERS) await backend.stack.restart(name, env);
    await backend.stack.waitUntilReady();
  }

  it('works with the secrets sealed under the first key', async () => {
    const ids = await storedKeyIds();
    expect(ids.length).toBeGreaterThanOrEqual(3); // the API key, the webhook secret, the connection strings
    expect(new Set(ids)).toEqual(new Set([keyIdOf(oldKey())]));
    await expectSecretsWork();
  });

  it('re-seals every stored secret under the new key when the services restart with it, the old key as previous', async () => {
    await restartKeyUsers({ AUTOWEAVE_SECRET_KEY: newKey, AUTOWEAVE_SECRET_KEY_PREVIOUS: oldKey() });
    const ids = await waitFor(async () => {
      const found = await storedKeyIds();
      return found.every((id) => id === keyIdOf(newKey)) ? found : undefined;
    }, { timeoutMs: 30_000, what: 'every stored secret re-sealed with the new key' });
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect(ids).not.toContain(keyIdOf(oldKey()));

    const counts = (service: ServiceName) =>
      backend.stack.service(service).logLines().filter((l) => /re-sealed with the current key/.test(String(l.msg))).map((l) => l.resealed);
    await waitFor(() => counts('hub').length > 0 && counts('pipeline-worker').length > 0, { what: 'the re-seal log lines' });
    expect(counts('hub')).toContain(2); // the API key and the webhook secret (another hub may have raced; CAS keeps that safe)
    expect(counts('pipeline-worker')).toContain(1);
    await expectSecretsWork();
  });

  it('keeps working once the old key is removed', async () => {
    await restartKeyUsers({ AUTOWEAVE_SECRET_KEY: newKey, AUTOWEAVE_SECRET_KEY_PREVIOUS: undefined });
    await expectSecretsWork();
    const output = backend.stack.allOutput();
    for (const secret of [API_KEY, webhook.secret, db.url, newKey, oldKey()]) expect(output).not.toContain(secret);
  });
});
