import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DeadLetterList, PipelineList, PipelineMetricsView, PipelineRunStarted, PipelineStatusView, PipelineView } from '@autoweave/contracts';
import { createTestDatabase, testPool, waitFor, type TestDatabase } from '@autoweave/testing';
import type pg from 'pg';
import { useBackend } from './support/backend.js';

const ROWS = 500;

/** A postgres -> postgres pipeline over the REST API, through the gateway to the pipeline worker, all as processes. */
describe('pipelines end to end: register and run a postgres -> postgres pipeline over HTTP', () => {
  const backend = useBackend();
  let db: TestDatabase;
  let pool: pg.Pool;
  let pipeline: PipelineView;

  beforeAll(async () => {
    db = await createTestDatabase('autoweave_e2e_pipelines');
    pool = testPool(db.url, 2);
    await pool.query('CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())');
    await pool.query(`INSERT INTO customers (id, email) SELECT g, 'user' || g || '@example.com' FROM generate_series(1, ${ROWS}) g`);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const copied = async (): Promise<number> => Number((await pool.query('SELECT count(*)::int AS n FROM customers_copy')).rows[0].n);
  const differences = async (): Promise<number> =>
    Number(
      (
        await pool.query(
          `SELECT count(*)::int AS n FROM customers s FULL JOIN customers_copy d USING (id)
           WHERE s.id IS NULL OR d.id IS NULL OR (s.email, s.updated_at) IS DISTINCT FROM (d.email, d.updated_at)`,
        )
      ).rows[0].n,
    );
  const lastRunOf = async (runId: string) =>
    waitFor(
      async () => {
        const status = (await backend.api.call<PipelineStatusView>('GET', `/api/pipeline/${pipeline.id}/status`)).body;
        return status.lastRun?.runId === runId ? status : undefined;
      },
      { timeoutMs: 30_000, what: `run ${runId} to end` },
    );

  it('POST /api/pipeline/register validates the definition and masks its secrets', async () => {
    const body = {
      name: 'customers copy',
      source: { type: 'postgres', config: { connectionString: db.url, table: 'customers', keyColumns: ['id'], cursorColumn: 'updated_at' } },
      processors: [{ type: 'map', config: { select: ['id', 'email', 'updated_at'] } }],
      destination: {
        type: 'postgres',
        config: {
          connectionString: db.url,
          table: 'customers_copy',
          keyColumns: ['id'],
          createTable: true,
          columns: [
            { name: 'id', type: 'bigint' },
            { name: 'email', type: 'text' },
            { name: 'updated_at', type: 'timestamptz' },
          ],
        },
      },
      batchSize: 100,
      schedule: { type: 'manual' },
    };
    const bad = await backend.api.call<{ error: { code: string; message: string } }>('POST', '/api/pipeline/register', {
      ...body,
      source: { type: 'postgres', config: { connectionString: db.url, keyColumns: ['id'] } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('source.config.table');

    const res = await backend.api.call<PipelineView>('POST', '/api/pipeline/register', body);
    expect(res.status).toBe(201);
    pipeline = res.body;
    expect(pipeline).toMatchObject({ name: 'customers copy', batchSize: 100, source: { config: { connectionString: '***' } }, destination: { config: { connectionString: '***' } } });
    expect(JSON.stringify(pipeline)).not.toContain(db.url);
    const list = await backend.api.call<PipelineList>('GET', '/api/pipeline');
    expect(list.body.items.map((p) => p.id)).toContain(pipeline.id);
    expect((await backend.api.call<PipelineView>('GET', `/api/pipeline/${pipeline.id}`)).body.name).toBe('customers copy');
  });

  it('POST /api/pipeline/:id/execute runs it: every row lands in the destination, and a second run picks up only the changes', async () => {
    const started = await backend.api.call<PipelineRunStarted>('POST', `/api/pipeline/${pipeline.id}/execute`);
    expect(started.status).toBe(202);
    const first = await lastRunOf(started.body.runId);
    expect(first).toMatchObject({ state: 'idle', lastRun: { outcome: 'completed', read: ROWS, written: ROWS, failed: 0 }, deadLetters: 0 });
    expect(await copied()).toBe(ROWS);
    expect(await differences()).toBe(0);

    await pool.query(`UPDATE customers SET email = 'changed-' || email, updated_at = now() WHERE id <= 5`);
    await pool.query(`INSERT INTO customers (id, email) VALUES (${ROWS + 1}, 'new@example.com')`);
    const again = await backend.api.call<PipelineRunStarted>('POST', `/api/pipeline/${pipeline.id}/execute`);
    const second = await lastRunOf(again.body.runId);
    expect(second.lastRun).toMatchObject({ outcome: 'completed', read: 6, written: 6 });
    expect(await differences()).toBe(0);

    const metrics = await backend.api.call<PipelineMetricsView>('GET', '/api/pipeline/metrics');
    expect(metrics.body.pipelines.find((p) => p.id === pipeline.id)?.totals).toMatchObject({ runs: 2, read: ROWS + 6, written: ROWS + 6 });
    const letters = await backend.api.call<DeadLetterList>('GET', `/api/pipeline/${pipeline.id}/dead-letters`);
    expect(letters.body).toEqual({ pipelineId: pipeline.id, items: [], total: 0 });
    const retried = await backend.api.call('POST', `/api/pipeline/${pipeline.id}/dead-letters/retry`);
    expect(retried.body).toEqual({ pipelineId: pipeline.id, retried: 0, succeeded: 0, failed: 0, remaining: 0 });
    for (const text of backend.api.seenBodies) expect(text).not.toContain(db.url);
  });

  it('pauses, resumes and deletes over HTTP, with read and write scopes like the integration routes', async () => {
    const reader = (await backend.api.call<{ key: string }>('POST', '/api/keys', { name: 'pipeline reader', scopes: ['read'] })).body.key;
    const asReader = backend.api.withKey(reader);
    expect((await asReader.call('GET', `/api/pipeline/${pipeline.id}/status`)).status).toBe(200);
    expect((await asReader.call('POST', `/api/pipeline/${pipeline.id}/pause`)).status).toBe(403);

    expect((await backend.api.call<PipelineView>('POST', `/api/pipeline/${pipeline.id}/pause`)).body.paused).toBe(true);
    const refused = await backend.api.call<{ error: { code: string } }>('POST', `/api/pipeline/${pipeline.id}/execute`);
    expect(refused.status).toBe(409);
    expect((await backend.api.call<PipelineView>('POST', `/api/pipeline/${pipeline.id}/resume`)).body.paused).toBe(false);

    expect((await backend.api.call('DELETE', `/api/pipeline/${pipeline.id}`)).status).toBe(200);
    expect((await backend.api.call('GET', `/api/pipeline/${pipeline.id}`)).status).toBe(404);
  });
});
