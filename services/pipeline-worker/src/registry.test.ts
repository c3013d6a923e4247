import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BUCKETS, PIPELINE_ADMIN, type PipelineComponents, type PipelineList, type PipelineStatusView, type PipelineView } from '@autoweave/contracts';
import { runService, type RunningService } from '@autoweave/service-kit';
import { startNatsServer, type NatsServerHandle } from '@autoweave/testing';
import { Kvm } from '@nats-io/kv';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipelineWorkerService } from './pipeline-worker.definition.js';
import { PipelineRegistry } from './pipelines/pipeline-registry.js';
import { postgresPipeline, TestClient, workerEnv } from './testing/harness.js';

const URL = 'postgres://app:pw-PLAIN-1@127.0.0.1:5432/nowhere';

describe('pipeline-worker - pipeline definitions over NATS', () => {
  let nats: NatsServerHandle;
  let worker: RunningService;
  let client: TestClient;

  beforeAll(async () => {
    nats = await startNatsServer();
    worker = await runService(pipelineWorkerService, workerEnv(nats.url));
    client = await TestClient.connect(nats.url);
  });

  afterAll(async () => {
    await client?.close();
    await worker?.stop();
    await nats?.stop();
  });

  let registered: PipelineView;

  it('registers a pipeline in the seed form, with defaults, secrets masked in the reply and sealed at rest', async () => {
    const body = postgresPipeline('Orders sync', URL, 'orders', 'orders_copy', {
      processors: [{ type: 'map', config: { fields: { id: 'id', name: 'name' } } }],
      schedule: { type: 'interval', everyMs: 60_000 },
      enabled: false,
    });
    delete body.batchSize;
    registered = await client.ok<PipelineView>(PIPELINE_ADMIN.register, body);
    expect(registered).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Orders sync',
      batchSize: 1000,
      schedule: { type: 'interval', everyMs: 60_000 },
      enabled: false,
      paused: false,
      source: { type: 'postgres', config: { connectionString: '***', table: 'orders', schema: 'public' } },
      destination: { type: 'postgres', config: { connectionString: '***', table: 'orders_copy' } },
    });
    expect(JSON.stringify(registered)).not.toContain('pw-PLAIN-1');

    const kv = await new Kvm(client.nc).open(BUCKETS.pipelines);
    const raw = new TextDecoder().decode((await kv.get(`p.${registered.id}`))!.value);
    expect(raw).not.toContain('pw-PLAIN-1');
    expect(raw).toMatch(/"connectionString":"v1\./);
  });

  it('lists, gets and reports the status of pipelines without secrets', async () => {
    const list = await client.ok<PipelineList>(PIPELINE_ADMIN.list, {});
    expect(list.items.map((p) => p.name)).toContain('Orders sync');
    expect(JSON.stringify(list)).not.toContain('pw-PLAIN-1');
    const got = await client.ok<PipelineView>(PIPELINE_ADMIN.get, { id: registered.id });
    expect(got.source.config.connectionString).toBe('***');
    const status = await client.ok<PipelineStatusView>(PIPELINE_ADMIN.status, { id: registered.id });
    expect(status).toMatchObject({ state: 'disabled', progress: { read: 0, written: 0, failed: 0 }, checkpoint: { position: null }, deadLetters: 0 });
  });

  it('accepts the complete example of docs/PIPELINES.md', async () => {
    const doc = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../docs/PIPELINES.md'), 'utf8');
    const example = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(doc)![1]!) as Record<string, unknown>;
    const view = await client.ok<PipelineView>(PIPELINE_ADMIN.register, example);
    expect(view).toMatchObject({ name: 'orders to warehouse', schedule: { type: 'cron', cron: '0 */15 * * * *', timezone: 'UTC' }, processors: [{ type: 'filter' }, { type: 'map' }] });
    expect(JSON.stringify(view)).not.toContain('secret@');
    await client.ok(PIPELINE_ADMIN.delete, { id: view.id });
  });

  it('refuses a second pipeline with the same name (case-insensitive)', async () => {
    const error = await client.error(PIPELINE_ADMIN.register, postgresPipeline('orders SYNC', URL, 'a', 'b'));
    expect(error.code).toBe('CONFLICT');
  });

  it.each([
    ['a missing destination', { destination: undefined }, 'destination'],
    ['an unknown schedule type', { schedule: { type: 'hourly' } }, 'schedule.type'],
    ['an interval without everyMs', { schedule: { type: 'interval' } }, 'schedule.everyMs'],
    ['a bad event pattern', { schedule: { type: 'event', event: 'a.>.b' } }, 'schedule.event'],
    ['a batch size of 0', { batchSize: 0 }, 'batchSize'],
    ['an unknown top-level field', { extra: 1 }, 'extra'],
  ])('refuses %s naming the field (DTO)', async (_what, change, field) => {
    const error = await client.error(PIPELINE_ADMIN.register, { ...postgresPipeline('Bad one', URL, 'a', 'b'), ...change });
    expect(error.code).toBe('VALIDATION');
    expect(JSON.stringify(error.details)).toContain(`"${field}"`);
  });

  it.each([
    ['a source without a table or query', { source: { type: 'postgres', config: { connectionString: URL, keyColumns: ['id'] } } }, 'source.config.table'],
    ['an unknown source type', { source: { type: 'nosuch', config: {} } }, 'source.type'],
    ['an unknown processor', { processors: [{ type: 'nosuch', config: {} }] }, 'processors.0.type'],
    ['a table name that is not an identifier', { destination: { type: 'postgres', config: { connectionString: URL, table: 'x; DROP TABLE y', keyColumns: ['id'] } } }, 'destination.config.table'],
    ['an invalid cron expression', { schedule: { type: 'cron', cron: 'every day' } }, 'schedule.cron'],
    ['an unknown time zone', { schedule: { type: 'cron', cron: '0 3 * * *', timezone: 'Mars/Olympus' } }, 'schedule.timezone'],
  ])('refuses %s naming the field (registry)', async (_what, change, field) => {
    const error = await client.error(PIPELINE_ADMIN.register, { ...postgresPipeline('Bad two', URL, 'a', 'b'), ...change });
    expect(error.code).toBe('VALIDATION');
    expect(`${error.message} ${JSON.stringify(error.details)}`).toContain(field);
    const list = await client.ok<PipelineList>(PIPELINE_ADMIN.list, {});
    expect(list.items.map((p) => p.name)).not.toContain('Bad two');
  });

  it('pauses and resumes a pipeline; execute is refused while paused', async () => {
    const paused = await client.ok<PipelineView>(PIPELINE_ADMIN.pause, { id: registered.id });
    expect(paused.paused).toBe(true);
    expect((await client.ok<PipelineStatusView>(PIPELINE_ADMIN.status, { id: registered.id })).state).toBe('paused');
    const error = await client.error(PIPELINE_ADMIN.execute, { id: registered.id });
    expect(error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('paused') });
    const resumed = await client.ok<PipelineView>(PIPELINE_ADMIN.resume, { id: registered.id });
    expect(resumed.paused).toBe(false);
  });

  it('lets code replace a definition (the registry as a plain domain object): *** keeps a secret, a stale revision is CONFLICT', async () => {
    const registry = worker.app.get(PipelineRegistry);
    const made = await registry.register(postgresPipeline('In code', URL, 'a', 'b'));
    const view = await registry.update(made.id, { ...postgresPipeline('In code', URL, 'a', 'c'), source: made.source, batchSize: 10 }, made.revision);
    expect(view).toMatchObject({ batchSize: 10, destination: { config: { table: 'c', connectionString: '***' } }, revision: expect.any(Number) });
    const kv = await new Kvm(client.nc).open(BUCKETS.pipelines);
    const stored = JSON.parse(new TextDecoder().decode((await kv.get(`p.${made.id}`))!.value)) as { source: { config: { connectionString: string } } };
    expect(registry.open(stored as never).source.config.connectionString).toBe(URL);
    await expect(registry.update(made.id, postgresPipeline('In code', URL, 'a', 'd'), made.revision)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(registry.update(made.id, postgresPipeline('Renamed', URL, 'a', 'd'))).rejects.toMatchObject({ code: 'VALIDATION' });
    expect((await registry.findByName('in CODE'))?.id).toBe(made.id);
    await registry.delete(made.id);
  });

  it('answers NOT_FOUND for an unknown id and VALIDATION for a malformed one', async () => {
    expect((await client.error(PIPELINE_ADMIN.get, { id: '4a7c1f7e-9a0b-4c1d-8e2f-3a4b5c6d7e8f' })).code).toBe('NOT_FOUND');
    expect((await client.error(PIPELINE_ADMIN.status, { id: 'nope' })).code).toBe('VALIDATION');
  });

  it('deletes a pipeline and frees its name', async () => {
    expect(await client.ok(PIPELINE_ADMIN.delete, { id: registered.id })).toEqual({ id: registered.id, deleted: true });
    expect((await client.error(PIPELINE_ADMIN.get, { id: registered.id })).code).toBe('NOT_FOUND');
    const again = await client.ok<PipelineView>(PIPELINE_ADMIN.register, postgresPipeline('Orders sync', URL, 'orders', 'orders_copy'));
    expect(again.id).not.toBe(registered.id);
  });

  it('lists its components with the config schemas the register request is validated against', async () => {
    const catalogue = await client.ok<PipelineComponents>(PIPELINE_ADMIN.components, {});
    const postgres = catalogue.adapters.find((a) => a.type === 'postgres');
    expect(postgres).toMatchObject({ roles: expect.arrayContaining(['source', 'destination']), description: expect.any(String) });
    expect(postgres!.roles).toHaveLength(2);
    expect(postgres!.configSchema).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['connectionString', 'keyColumns']),
      properties: { connectionString: { type: 'string' }, table: { type: 'string' }, keyColumns: { type: 'array' }, schema: { default: 'public' }, createTable: { type: 'boolean' } },
    });
    expect(catalogue.processors.find((p) => p.type === 'map')).toMatchObject({ description: expect.any(String), configSchema: { type: 'object', properties: { select: { type: 'array' } } } });
    // The components this worker registers in code are listed too: it is the registry runs use.
    expect(catalogue.adapters.map((a) => a.type)).toEqual(expect.arrayContaining(['nats', 'vector', 'openapi-operations', 'endpoint-index']));
    expect(catalogue.processors.map((p) => p.type)).toEqual(expect.arrayContaining(['filter', 'embed', 'row-document']));
    // Descriptions of the components, never their code.
    for (const adapter of catalogue.adapters) expect(Object.keys(adapter).sort()).toEqual(['configSchema', 'description', 'roles', 'type']);
    for (const processor of catalogue.processors) expect(Object.keys(processor).sort()).toEqual(['configSchema', 'description', 'type']);
    // What the schema says is what register enforces: a table name the schema's pattern refuses is refused, naming the field.
    const bad = await client.error(PIPELINE_ADMIN.register, postgresPipeline('Bad table', URL, 'orders', 'no such table'));
    expect(bad).toMatchObject({ code: 'VALIDATION', details: { field: 'destination.config.table' } });
  });
});
