import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BUCKETS, PIPELINE_ADMIN, SEARCH, type EndpointSearchHit, type PipelineList, type PipelineStatusView, type PipelineView } from '@autoweave/contracts';
import { SecretBox } from '@autoweave/security';
import { runService, type RunningService } from '@autoweave/service-kit';
import { deleteIntegrationRecord, putIntegrationRecord, startNatsServer, waitFor, type NatsServerHandle } from '@autoweave/testing';
import { Kvm, type KV } from '@nats-io/kv';
import type { PipelineWorkerConfig } from '../config.js';
import { endpointPipelineName } from '../indexing/endpoint-pipeline.js';
import { PETSTORE_OPERATIONS, petstoreSpec } from '../indexing/testing/petstore-spec.js';
import { pipelineWorkerService } from '../pipeline-worker.definition.js';
import { SECRET_KEY, TestClient, workerEnv } from '../testing/harness.js';

/**
 * Endpoint indexing and search on a real nats-server: integrations are
 * written into the `integrations` bucket in the hub's stored format (as the
 * hub would), the worker indexes them through its endpoint pipelines, and
 * `search.endpoints` answers plain-language queries.
 */
describe('endpoint indexing and search.endpoints', () => {
  let nats: NatsServerHandle;
  let worker: RunningService<PipelineWorkerConfig> | undefined;
  let client: TestClient;
  let kv: KV;
  const box = SecretBox.fromString(SECRET_KEY);
  const dataDir = mkdtempSync(join(tmpdir(), 'aw-search-'));
  const start = (dir = dataDir) => runService(pipelineWorkerService, workerEnv(nats.url, { AUTOWEAVE_DATA_DIR: dir, AUTOWEAVE_INDEX_RETRY_MS: '100', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }));

  beforeAll(async () => {
    nats = await startNatsServer();
    worker = await start();
    client = await TestClient.connect(nats.url);
    kv = await new Kvm(client.nc).open(BUCKETS.integrations);
  });

  afterAll(async () => {
    await client?.close();
    await worker?.stop();
    await nats?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const search = (q: string, extra: Record<string, unknown> = {}) => client.ok<EndpointSearchHit[]>(SEARCH.endpoints, { q, ...extra });
  const pipelineOf = async (integrationId: string): Promise<PipelineView | undefined> =>
    (await client.ok<PipelineList>(PIPELINE_ADMIN.list, {})).items.find((p) => p.name === endpointPipelineName(integrationId));
  const operationsOf = async (integrationId: string): Promise<string[]> =>
    (await search('operation', { integrationId, limit: 50 })).map((h) => h.operationId).sort();

  let petstoreId: string;

  it('indexes an OpenAPI integration found in the registry: a plain-language query returns the right operation first', async () => {
    const record = await putIntegrationRecord(kv, box, { name: 'petstore', type: 'openapi', config: { openAPISpec: petstoreSpec() } });
    petstoreId = record.id;
    const byStatus = await waitFor(async () => {
      const hits = await search('find pets by status');
      return hits.length > 0 ? hits : undefined;
    }, { timeoutMs: 20_000, what: 'the petstore operations to be indexed' });

    expect(byStatus[0]).toEqual({
      integrationId: petstoreId,
      integrationName: 'petstore',
      operationId: 'findPetsByStatus',
      method: 'GET',
      path: '/pet/findByStatus',
      summary: 'Finds Pets by status',
      score: expect.any(Number),
    });
    expect(byStatus.length).toBe(10); // the default limit
    const scores = byStatus.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));

    const deleteOrder = await search('delete an order', { limit: 3 });
    expect(deleteOrder.map((h) => h.operationId)[0]).toBe('deleteOrder');
    expect(deleteOrder).toHaveLength(3);
    expect(await operationsOf(petstoreId)).toEqual([...PETSTORE_OPERATIONS].sort());
  });

  it('indexes through an ordinary pipeline: openapi-operations -> embed -> endpoint-index, one run, every operation written', async () => {
    const pipeline = (await pipelineOf(petstoreId))!;
    expect(pipeline).toMatchObject({
      source: { type: 'openapi-operations', config: { integrationId: petstoreId } },
      processors: [{ type: 'embed', config: { field: 'text', embedder: { type: 'lexical', dimensions: 384 } } }],
      destination: { type: 'endpoint-index', config: { collection: 'endpoints' } },
      schedule: { type: 'manual' },
      metadata: { managedBy: 'pipeline-worker', kind: 'endpoint-index', integrationId: petstoreId },
    });
    const status = await waitFor(async () => {
      const s = await client.ok<PipelineStatusView>(PIPELINE_ADMIN.status, { id: pipeline.id });
      return s.lastRun?.outcome === 'completed' ? s : undefined;
    }, { what: 'the index run to be recorded' });
    // The integration's own item and its 18 operations, one batch.
    expect(status.lastRun).toMatchObject({ read: 19, written: 19, failed: 0, batches: 1 });
  });

  it('filters by integration, and refuses a bad query with VALIDATION naming the field', async () => {
    const other = await putIntegrationRecord(kv, box, { name: 'orders api', type: 'openapi', config: { openAPISpec: ordersSpec() } });
    await waitFor(async () => (await operationsOf(other.id)).length === 2, { timeoutMs: 20_000, what: 'the second integration to be indexed' });
    const across = await search('delete an order', { limit: 50 });
    expect(new Set(across.map((h) => h.integrationId))).toEqual(new Set([petstoreId, other.id]));
    const within = await search('delete an order', { integrationId: other.id });
    expect(within.map((h) => h.operationId)).toEqual(['cancelOrder', 'listOrders']);

    for (const [payload, field] of [
      [{ q: '' }, 'q'],
      [{ q: '   ' }, 'q'],
      [{ q: 'pets', limit: 0 }, 'limit'],
      [{ q: 'pets', limit: 51 }, 'limit'],
      [{ q: 'pets', integrationId: 'petstore' }, 'integrationId'],
      [{ q: 'pets', extra: true }, 'extra'],
    ] as const) {
      const error = await client.error(SEARCH.endpoints, payload);
      expect(error.code).toBe('VALIDATION');
      expect(error.message).toContain(field);
    }
  });

  it('reindexes when the spec changes: operations that left it are removed, new ones are found', async () => {
    const spec = petstoreSpec() as { paths: Record<string, Record<string, unknown>> };
    delete spec.paths['/store/order/{orderId}']!.delete;
    spec.paths['/store/order/{orderId}/refund'] = {
      post: {
        tags: ['store'],
        operationId: 'refundOrder',
        summary: 'Refund a purchase order',
        parameters: [{ name: 'orderId', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: { '200': { description: 'refunded' } },
      },
    };
    await putIntegrationRecord(kv, box, { id: petstoreId, name: 'petstore', type: 'openapi', config: { openAPISpec: spec } });
    await waitFor(async () => {
      const ops = await operationsOf(petstoreId);
      return ops.includes('refundOrder') && !ops.includes('deleteOrder');
    }, { timeoutMs: 20_000, what: 'the changed spec to be reindexed' });
    expect((await search('refund an order'))[0]).toMatchObject({ integrationId: petstoreId, operationId: 'refundOrder', method: 'POST' });
    expect(await operationsOf(petstoreId)).toHaveLength(PETSTORE_OPERATIONS.length);
  });

  it('keeps the last good index when a new spec cannot be read, and says why in the pipeline status', async () => {
    const before = await operationsOf(petstoreId);
    const broken = { openapi: '3.0.3', info: { title: 'broken', version: '1' }, paths: { '/orders/{id}': { get: { operationId: 'getOrder', responses: { '200': { description: 'ok' } } } } } };
    await putIntegrationRecord(kv, box, { id: petstoreId, name: 'petstore', type: 'openapi', config: { openAPISpec: broken } });
    const pipeline = (await pipelineOf(petstoreId))!;
    const status = await waitFor(async () => {
      const s = await client.ok<PipelineStatusView>(PIPELINE_ADMIN.status, { id: pipeline.id });
      return s.lastRun?.outcome === 'failed' ? s : undefined;
    }, { timeoutMs: 20_000, what: 'the index run of the broken spec to fail' });
    expect(status.lastError?.message).toContain('missing path parameter');
    expect(await operationsOf(petstoreId)).toEqual(before);
  });

  it('removes the pipeline and every entry of a deleted integration', async () => {
    const doomed = await putIntegrationRecord(kv, box, { name: 'doomed', type: 'openapi', config: { openAPISpec: ordersSpec() } });
    await waitFor(async () => (await operationsOf(doomed.id)).length === 2, { timeoutMs: 20_000, what: 'the integration to be indexed' });
    await deleteIntegrationRecord(kv, doomed.id);
    await waitFor(async () => (await operationsOf(doomed.id)).length === 0 && (await pipelineOf(doomed.id)) === undefined, {
      timeoutMs: 20_000,
      what: 'the deleted integration to leave the index',
    });
  });

  it('catches up at start with what changed while it was down, and two replicas never run one index at the same time', async () => {
    const gone = await putIntegrationRecord(kv, box, { name: 'gone while down', type: 'openapi', config: { openAPISpec: ordersSpec() } });
    await waitFor(async () => (await operationsOf(gone.id)).length === 2, { timeoutMs: 20_000, what: 'the integration to be indexed' });
    await worker!.stop();
    worker = undefined;

    // While no worker runs: one integration is deleted, one registered, one of another type registered.
    await deleteIntegrationRecord(kv, gone.id);
    const added = await putIntegrationRecord(kv, box, { name: 'added while down', type: 'openapi', config: { openAPISpec: ordersSpec() } });
    const webhook = await putIntegrationRecord(kv, box, { name: 'a webhook', type: 'webhook', config: { url: 'https://example.com/hook', events: ['order.*'], secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } });

    const replicaDir = mkdtempSync(join(tmpdir(), 'aw-search-replica-'));
    worker = await start();
    const replica = await start(replicaDir);
    try {
      await waitFor(async () => (await pipelineOf(gone.id)) === undefined, { timeoutMs: 20_000, what: 'the index pipeline of the integration deleted meanwhile to go' });
      const pipeline = await waitFor(() => pipelineOf(added.id), { timeoutMs: 20_000, what: 'the integration registered meanwhile to get its index' });
      await waitFor(() => client.endsOf(pipeline.id).length > 0, { timeoutMs: 20_000, what: 'its index run' });
      expect(await pipelineOf(webhook.id)).toBeUndefined();

      // Both replicas saw the new integration and had nothing of it in their stores: whatever ran, never at once.
      const runs = client.endsOf(pipeline.id).map((e) => e.run);
      expect(runs.every((r) => r.outcome === 'completed')).toBe(true);
      const intervals = runs.map((r) => [Date.parse(r.startedAt), Date.parse(r.finishedAt!)] as const).sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < intervals.length; i++) expect(intervals[i]![0]).toBeGreaterThanOrEqual(intervals[i - 1]![1]);
      const names = (await client.ok<PipelineList>(PIPELINE_ADMIN.list, {})).items.map((p) => p.name);
      expect(names.filter((n) => n === endpointPipelineName(added.id))).toHaveLength(1);
    } finally {
      await replica.stop();
      rmSync(replicaDir, { recursive: true, force: true });
    }
    // This worker's own store lost the deleted integration's entries too (it had indexed them before stopping).
    expect(await operationsOf(gone.id)).toEqual([]);
    // Two worker starts and up to four waits of 20 s each: more than the default 30 s on a loaded machine.
  }, 120_000);
});

/** A second, small API: two operations about orders. */
function ordersSpec(): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 'Orders', version: '1.0.0' },
    paths: {
      '/orders': { get: { operationId: 'listOrders', summary: 'List orders', responses: { '200': { description: 'the orders' } } } },
      '/orders/{id}': {
        delete: {
          operationId: 'cancelOrder',
          summary: 'Cancel an order',
          description: 'Deletes the order unless it has shipped',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '204': { description: 'cancelled' } },
        },
      },
    },
  };
}
