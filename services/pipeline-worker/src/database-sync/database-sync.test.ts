import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BUCKETS, INTEGRATION_ADMIN, PIPELINE_ADMIN, type IntegrationSyncResult, type PipelineList, type PipelineView } from '@autoweave/contracts';
import { SecretBox } from '@autoweave/security';
import { runService, type RunningService } from '@autoweave/service-kit';
import { EmbeddedVectorStore, LexicalEmbedder } from '@autoweave/storage';
import { createTestDatabase, deleteIntegrationRecord, putIntegrationRecord, startNatsServer, waitFor, type NatsServerHandle, type TestDatabase } from '@autoweave/testing';
import { Kvm, type KV } from '@nats-io/kv';
import type { PipelineWorkerConfig } from '../config.js';
import { pipelineWorkerService } from '../pipeline-worker.definition.js';
import { SECRET_KEY, TestClient, TestTables, workerEnv } from '../testing/harness.js';

/** A password the trust-auth test server ignores, so the tests can look for it everywhere it must not be. */
const PASSWORD = 'sync-S3cret-pw';

/**
 * Database integrations on real PostgreSQL and NATS: records in the hub's
 * stored format (connection strings sealed) make the worker build, run,
 * rebuild and remove one sync pipeline per table.
 */
describe('database integrations - sync pipelines', () => {
  let nats: NatsServerHandle;
  let worker: RunningService<PipelineWorkerConfig>;
  let client: TestClient;
  let integrations: KV;
  let db: TestDatabase;
  let tables: TestTables;
  let url: string;
  const box = SecretBox.fromString(SECRET_KEY);
  const dataDir = mkdtempSync(join(tmpdir(), 'aw-sync-'));

  beforeAll(async () => {
    db = await createTestDatabase('aw_sync');
    const withPassword = new URL(db.url);
    withPassword.password = PASSWORD;
    url = withPassword.toString();
    tables = new TestTables(db.url);
    await tables.pool.query(`CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, balance numeric(12,2), updated_at timestamptz NOT NULL DEFAULT now())`);
    await tables.pool.query(`INSERT INTO customers (id, name, balance) SELECT g, 'customer ' || g, g * 1.25 FROM generate_series(1, 250) g`);
    await tables.pool.query(`CREATE TABLE order_tags (order_id bigint, tag varchar(40), PRIMARY KEY (order_id, tag))`);
    await tables.pool.query(`INSERT INTO order_tags SELECT g / 3, 'tag-' || g FROM generate_series(1, 90) g`);
    await tables.pool.query(`CREATE TABLE notes (body text)`);
    nats = await startNatsServer();
    worker = await runService(pipelineWorkerService, workerEnv(nats.url, { AUTOWEAVE_DATA_DIR: dataDir, AUTOWEAVE_INDEX_RETRY_MS: '100', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }));
    client = await TestClient.connect(nats.url);
    integrations = await new Kvm(client.nc).open(BUCKETS.integrations);
  });

  afterAll(async () => {
    await client?.close();
    await worker?.stop();
    await nats?.stop();
    await tables?.close();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const pipelinesOf = async (integrationId: string): Promise<PipelineView[]> =>
    (await client.ok<PipelineList>(PIPELINE_ADMIN.list, {})).items.filter((p) => p.metadata.integrationId === integrationId && p.metadata.kind === 'database-sync');
  const count = async (table: string): Promise<number> => {
    try {
      return await tables.count(table);
    } catch {
      return -1; // not created yet
    }
  };
  const copied = (source: string, copy: string, key: string) =>
    waitFor(async () => {
      const { rows } = await tables.pool.query(`SELECT count(*)::int AS n FROM ${source} s FULL JOIN ${copy} d USING (${key}) WHERE s IS DISTINCT FROM d`).catch(() => ({ rows: [{ n: -1 }] }));
      return rows[0].n === 0;
    }, { timeoutMs: 20_000, what: `${copy} to equal ${source}` });

  let shopId: string;

  it('creates one pipeline per table with syncEnabled and runs it: rows arrive in the destination', async () => {
    const record = await putIntegrationRecord(integrations, box, {
      name: 'shop',
      type: 'database',
      config: {
        dbType: 'postgres',
        connectionString: url,
        tables: ['customers', 'public.order_tags', 'notes', 'missing'],
        syncEnabled: true,
        syncDestination: 'postgres',
        syncDestinationConfig: { tablePrefix: 'copy_' },
      },
    });
    shopId = record.id;
    await copied('customers', 'copy_customers', 'id');
    await copied('order_tags', 'copy_order_tags', 'order_id, tag');
    const pipelines = await pipelinesOf(shopId);
    expect(pipelines.map((p) => p.metadata.table).sort()).toEqual(['public.customers', 'public.order_tags']);
    const customers = pipelines.find((p) => p.metadata.table === 'public.customers')!;
    // The primary key from the catalogue, incremental by updated_at; the destination table created with the source's types.
    expect(customers.source.config).toMatchObject({ connectionString: '***', schema: 'public', table: 'customers', keyColumns: ['id'], cursorColumn: 'updated_at' });
    expect(customers.source.config.mode).toBeUndefined();
    expect(pipelines.find((p) => p.metadata.table === 'public.order_tags')!.source.config).toMatchObject({ keyColumns: ['order_id', 'tag'], mode: 'full' });
    const { rows } = await tables.pool.query(`SELECT data_type, numeric_precision, numeric_scale FROM information_schema.columns WHERE table_name = 'copy_customers' AND column_name = 'balance'`);
    expect(rows[0]).toEqual({ data_type: 'numeric', numeric_precision: 12, numeric_scale: 2 });
  });

  it('keeps connection strings sealed at rest and masked in every reply', async () => {
    const pipelines = await pipelinesOf(shopId);
    expect(JSON.stringify(pipelines)).not.toContain(PASSWORD);
    const stored = await new Kvm(client.nc).open(BUCKETS.pipelines);
    for (const p of pipelines) {
      const entry = await stored.get(`p.${p.id}`);
      expect(entry!.string()).not.toContain(PASSWORD);
      expect(entry!.string()).not.toContain('127.0.0.1');
    }
  });

  it('integration.admin.sync runs every table now, incrementally, and says which tables cannot be synced and why', async () => {
    await tables.pool.query(`UPDATE customers SET name = 'renamed', updated_at = now() WHERE id <= 10`);
    await tables.pool.query(`INSERT INTO customers (id, name) SELECT g, 'new ' || g FROM generate_series(251, 300) g`);
    await tables.pool.query(`INSERT INTO order_tags VALUES (500, 'late')`);
    const result = await waitFor(async () => {
      const reply = await client.ask<IntegrationSyncResult>(INTEGRATION_ADMIN.sync, { id: shopId });
      return reply.ok ? reply.data : undefined; // CONFLICT while a first run is still going is fine: ask again
    }, { what: 'a sync to be accepted' });
    expect(result.integrationId).toBe(shopId);
    expect(result.destination).toBe('postgres');
    expect(result.tables.map((t) => t.table).sort()).toEqual(['public.customers', 'public.order_tags']);
    for (const t of result.tables) expect(['started', 'queued']).toContain(t.state);
    expect(result.skipped).toEqual([
      { table: 'public.missing', reason: expect.stringContaining('no such table') },
      { table: 'public.notes', reason: expect.stringContaining('no primary key') },
    ]);
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
    await copied('customers', 'copy_customers', 'id');
    await copied('order_tags', 'copy_order_tags', 'order_id, tag');
    expect(await count('copy_customers')).toBe(300);
  });

  it('answers integration.admin.sync with NOT_FOUND, VALIDATION or CONFLICT when there is nothing to sync', async () => {
    const openapi = await putIntegrationRecord(integrations, box, { type: 'openapi', config: { openAPISpec: { openapi: '3.0.3', info: { title: 't', version: '1' }, paths: {} } } });
    const off = await putIntegrationRecord(integrations, box, { type: 'database', config: { dbType: 'postgres', connectionString: url, syncEnabled: false } });
    await waitFor(async () => (await client.ask(INTEGRATION_ADMIN.sync, { id: off.id })).ok === false && !(await client.error(INTEGRATION_ADMIN.sync, { id: off.id })).message.includes('not found'), {
      what: 'the worker to see the records',
    });
    expect((await client.error(INTEGRATION_ADMIN.sync, { id: '2f4a9c1e-0000-4000-8000-000000000000' })).code).toBe('NOT_FOUND');
    expect((await client.error(INTEGRATION_ADMIN.sync, { id: 'shop' })).code).toBe('VALIDATION');
    expect(await client.error(INTEGRATION_ADMIN.sync, { id: openapi.id })).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('only database integrations') });
    expect(await client.error(INTEGRATION_ADMIN.sync, { id: off.id })).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('syncEnabled') });
    expect(await pipelinesOf(off.id)).toEqual([]);
  });

  it('names a destination setting the adapter refuses, and builds nothing for it', async () => {
    const bad = await putIntegrationRecord(integrations, box, {
      type: 'database',
      config: { dbType: 'postgres', connectionString: url, tables: ['customers'], syncEnabled: true, syncDestination: 'qdrant', syncDestinationConfig: { url: 'ftp://nope' } },
    });
    const error = await waitFor(async () => {
      const reply = await client.ask(INTEGRATION_ADMIN.sync, { id: bad.id });
      return reply.ok || reply.error.message.includes('not found') ? undefined : reply.error;
    }, { what: 'the sync to be refused' });
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toContain('public.customers: syncDestinationConfig.url');
    expect(await pipelinesOf(bad.id)).toEqual([]);
  });

  it('syncs into the worker\u2019s vector store: one embedded point per row', async () => {
    const vectors = await putIntegrationRecord(integrations, box, {
      name: 'shop vectors',
      type: 'database',
      config: { dbType: 'postgres', connectionString: url, tables: ['customers'], syncEnabled: true, syncDestination: 'vector', syncSchedule: '0 0 1 1 *' },
    });
    // The worker runs in this process: a store over its folder shares its open collection.
    const store = new EmbeddedVectorStore({ dir: join(worker.runtime.config.dataDir, 'vectors') });
    try {
      await waitFor(async () => (await store.count('shop_vectors_customers')) === (await tables.count('customers')), { timeoutMs: 20_000, what: 'every customer to be embedded' });
      const [pipeline] = await pipelinesOf(vectors.id);
      expect(pipeline!.schedule).toEqual({ type: 'cron', cron: '0 0 1 1 *', timezone: 'UTC' });
      const [vector] = await new LexicalEmbedder(384).embed(['name: renamed']);
      const hits = await store.search('shop_vectors_customers', vector!, { limit: 1 });
      expect(hits[0]!.payload).toMatchObject({ name: 'renamed', _text: expect.stringContaining('name: renamed') });
    } finally {
      await store.close();
    }

    // Deleting the integration removes its pipelines (what was synced stays where it went).
    await deleteIntegrationRecord(integrations, vectors.id);
    await waitFor(async () => (await pipelinesOf(vectors.id)).length === 0, { what: 'the sync pipelines of the deleted integration to go' });
  });

  it('rebuilds the pipelines when the config changes, and removes them when the integration is disabled', async () => {
    const config = {
      dbType: 'postgres',
      connectionString: url,
      tables: ['customers'],
      syncEnabled: true,
      syncDestination: 'postgres',
      syncDestinationConfig: { tablePrefix: 'copy_' },
      tableOptions: [{ table: 'customers', mode: 'full' }],
    };
    await putIntegrationRecord(integrations, box, { id: shopId, name: 'shop', type: 'database', config });
    await waitFor(async () => {
      const pipelines = await pipelinesOf(shopId);
      return pipelines.length === 1 && pipelines[0]!.source.config.mode === 'full';
    }, { what: 'the pipelines to follow the new config' });

    await putIntegrationRecord(integrations, box, { id: shopId, name: 'shop', type: 'database', status: 'disabled', config });
    await waitFor(async () => (await pipelinesOf(shopId)).length === 0, { what: 'the pipelines of the disabled integration to go' });
    expect(await count('copy_customers')).toBe(300);
  });
});
