import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  PIPELINE_ADMIN,
  subjectFilter,
  subjectFor,
  type DeadLetterList,
  type PipelineMetricsView,
  type PipelineRunStarted,
  type PipelineStatusView,
  type PipelineView,
  type RetryDeadLettersResult,
} from '@autoweave/contracts';
import { runService, type RunningService } from '@autoweave/service-kit';
import { storageAdapterFactory } from '@autoweave/storage';
import { createTestDatabase, startNatsServer, waitFor, type NatsServerHandle, type TestDatabase } from '@autoweave/testing';
import { jetstream } from '@nats-io/jetstream';
import { pipelineWorkerService } from './pipeline-worker.definition.js';
import { postgresPipeline, TestClient, TestTables, workerEnv } from './testing/harness.js';

/** Ids the `flaky` processor throws on (a downstream that is broken for those items, until it is fixed). */
const poisoned = new Set<string>();
storageAdapterFactory.registerProcessor('flaky', (item) => {
  if (poisoned.has(String(item.id))) throw new Error(`cannot process item ${String(item.id)}`);
  return item;
});
/** Waits `ms` per item, one item after the other per pipeline: makes a run last long enough to pause it or overlap it. */
const delayLines = new Map<string, Promise<unknown>>();
storageAdapterFactory.registerProcessor('delay', (item, context) => {
  const done = (delayLines.get(context.pipelineId) ?? Promise.resolve()).then(() => new Promise((resolve) => setTimeout(resolve, Number(context.config.ms ?? 1))));
  delayLines.set(context.pipelineId, done);
  return done.then(() => item);
});

describe('pipeline-worker - runs (real NATS, real PostgreSQL, two worker replicas)', () => {
  let nats: NatsServerHandle;
  let db: TestDatabase;
  let tables: TestTables;
  let workers: RunningService[] = [];
  let client: TestClient;

  beforeAll(async () => {
    nats = await startNatsServer();
    db = await createTestDatabase('autoweave_pipelines');
    tables = new TestTables(db.url);
    workers = [await runService(pipelineWorkerService, workerEnv(nats.url)), await runService(pipelineWorkerService, workerEnv(nats.url))];
    client = await TestClient.connect(nats.url);
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all(workers.map((w) => w.stop()));
    await tables?.close();
    await db?.drop();
    await nats?.stop();
  });

  const register = (body: Record<string, unknown>) => client.ok<PipelineView>(PIPELINE_ADMIN.register, body);
  const execute = async (id: string) => (await client.ok<PipelineRunStarted>(PIPELINE_ADMIN.execute, { id })).runId;
  const status = (id: string) => client.ok<PipelineStatusView>(PIPELINE_ADMIN.status, { id });
  const ended = (runId: string, timeoutMs = 30_000) => waitFor(() => client.endOf(runId), { timeoutMs, what: `the end of run ${runId}` });

  it('syncs postgres -> postgres incrementally: a second run reads only rows inserted or updated since the first', async () => {
    await tables.createSource('people');
    await tables.createDestination('people_copy');
    await tables.insertRows('people', 1, 120); // one updated_at for all: ties on the cursor column
    const pipeline = await register(postgresPipeline('people sync', db.url, 'people', 'people_copy'));

    const first = await ended(await execute(pipeline.id));
    expect(first.run).toMatchObject({ outcome: 'completed', trigger: 'manual', read: 120, written: 120, failed: 0, batches: 3, resumedFrom: null });
    expect(await tables.differences('people', 'people_copy')).toBe(0);
    expect(client.written.filter((w) => w.runId === first.run.runId).map((w) => w.written)).toEqual([50, 50, 20]);

    await tables.pool.query(`UPDATE people SET name = name || '-changed', score = -1, updated_at = now() WHERE id IN (3, 60, 119)`);
    await tables.insertRows('people', 121, 130);
    const second = await ended(await execute(pipeline.id));
    expect(second.run).toMatchObject({ outcome: 'completed', read: 13, written: 13 });
    expect(second.run.resumedFrom).toEqual(expect.objectContaining({ cursor: expect.any(String) }));
    expect(await tables.count('people_copy')).toBe(130);
    expect(await tables.differences('people', 'people_copy')).toBe(0);

    const third = await ended(await execute(pipeline.id));
    expect(third.run).toMatchObject({ outcome: 'completed', read: 0, written: 0 });

    const st = await status(pipeline.id);
    expect(st).toMatchObject({ state: 'idle', lag: 0, lastRun: { runId: third.run.runId, outcome: 'completed' }, checkpoint: { position: expect.any(Object) } });
    const metrics = await client.ok<PipelineMetricsView>(PIPELINE_ADMIN.metrics, { id: pipeline.id });
    expect(metrics.pipelines[0]!.totals).toMatchObject({ runs: 3, completed: 3, read: 133, written: 133, failedItems: 0 });
  });

  it('shows lag in the status: what reached a nats source during a run is left for the next one, which brings it to 0', async () => {
    // Holds every item after the first batch until the test has published more: the run is mid-way for certain.
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    storageAdapterFactory.registerProcessor('hold-after-10', async (item) => {
      if (Number(item.id) > 10) await opened;
      return item;
    });
    await tables.createDestination('lag_dst');
    const js = jetstream(client.nc);
    const publish = (id: number) => js.publish(subjectFor.event('lagging.created'), JSON.stringify({ id, name: `m${id}`, score: 0, updated_at: new Date().toISOString() }));
    for (let id = 1; id <= 20; id++) await publish(id);
    const pipeline = await register({
      name: 'nats lag',
      source: { type: 'nats', config: { subject: subjectFilter.events('lagging.*') } },
      processors: [{ type: 'hold-after-10', config: {} }],
      destination: { type: 'postgres', config: { connectionString: db.url, table: 'lag_dst', keyColumns: ['id'] } },
      batchSize: 10,
      schedule: { type: 'manual' },
    });

    const runId = await execute(pipeline.id);
    try {
      await waitFor(() => client.written.some((w) => w.runId === runId), { timeoutMs: 20_000, what: 'the first batch written' });
      for (let id = 21; id <= 23; id++) await publish(id);
    } finally {
      open(); // also when the wait failed: a held run would keep its worker from stopping
    }
    expect((await ended(runId)).run).toMatchObject({ outcome: 'completed', read: 20, written: 20 });
    expect((await status(pipeline.id)).lag).toBe(3);

    expect((await ended(await execute(pipeline.id))).run).toMatchObject({ outcome: 'completed', read: 3, written: 3 });
    expect((await status(pipeline.id)).lag).toBe(0);
    expect(await tables.count('lag_dst')).toBe(23);
    await client.ok(PIPELINE_ADMIN.delete, { id: pipeline.id });
  });

  it('sends items that fail processing to the dead-letter stream and retries them through the API', async () => {
    await tables.createSource('orders');
    await tables.createDestination('orders_copy');
    await tables.insertRows('orders', 1, 40);
    for (const id of ['7', '8', '33']) poisoned.add(id);
    const pipeline = await register(postgresPipeline('orders sync', db.url, 'orders', 'orders_copy', { processors: [{ type: 'flaky', config: {} }], batchSize: 16 }));

    const run = await ended(await execute(pipeline.id));
    expect(run.run).toMatchObject({ outcome: 'completed', read: 40, written: 37, failed: 3 });
    expect(await tables.count('orders_copy')).toBe(37);
    const letters = await client.ok<DeadLetterList>(PIPELINE_ADMIN.deadLetters, { id: pipeline.id });
    expect(letters.total).toBe(3);
    expect(letters.items.map((l) => String(l.item.id)).sort()).toEqual(['33', '7', '8']);
    expect(letters.items[0]).toMatchObject({ pipelineId: pipeline.id, runId: run.run.runId, stage: 0, processor: 'flaky', attempts: 1, error: expect.stringContaining('cannot process item') });
    expect((await status(pipeline.id)).deadLetters).toBe(3);

    // Still broken for item 33: it goes back with its attempts counted; 7 and 8 pass.
    poisoned.delete('7');
    poisoned.delete('8');
    const partial = await client.ok<RetryDeadLettersResult>(PIPELINE_ADMIN.retryDeadLetters, { id: pipeline.id });
    expect(partial).toEqual({ pipelineId: pipeline.id, retried: 3, succeeded: 2, failed: 1, remaining: 1 });
    const left = await client.ok<DeadLetterList>(PIPELINE_ADMIN.deadLetters, { id: pipeline.id });
    expect(left.items).toEqual([expect.objectContaining({ attempts: 2, item: expect.objectContaining({ id: '33' }) })]);

    poisoned.clear();
    const rest = await client.ok<RetryDeadLettersResult>(PIPELINE_ADMIN.retryDeadLetters, { id: pipeline.id, seqs: [left.items[0]!.seq] });
    expect(rest).toMatchObject({ succeeded: 1, failed: 0, remaining: 0 });
    expect(await tables.differences('orders', 'orders_copy')).toBe(0);
  });

  it('never runs one pipeline twice at once across replicas, and spreads pipelines over them', async () => {
    await tables.createSource('events_src');
    await tables.insertRows('events_src', 1, 200);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      await tables.createDestination(`events_dst_${i}`);
      const p = await register(postgresPipeline(`fanout ${i}`, db.url, 'events_src', `events_dst_${i}`, { processors: [{ type: 'delay', config: { ms: 1 } }] }));
      ids.push(p.id);
    }
    // Ten concurrent executes of one pipeline: exactly one starts, the rest are told it is running.
    const replies = await Promise.all(Array.from({ length: 10 }, () => client.ask<PipelineRunStarted>(PIPELINE_ADMIN.execute, { id: ids[0] })));
    const started = replies.filter((r) => r.ok);
    expect(started).toHaveLength(1);
    for (const r of replies.filter((r) => !r.ok)) expect(!r.ok && r.error).toMatchObject({ code: 'CONFLICT', details: { state: 'running' } });
    await ended(started[0]!.ok ? started[0]!.data.runId : '');

    // An interval schedule fires on every replica's tick; runs of one pipeline must never overlap.
    const busy = await register(
      postgresPipeline('busy interval', db.url, 'events_src', 'events_dst_0', { processors: [{ type: 'delay', config: { ms: 2 } }], batchSize: 40, schedule: { type: 'interval', everyMs: 150 } }),
    );
    for (const id of ids.slice(1)) await execute(id);
    await waitFor(() => client.endsOf(busy.id).length >= 3, { timeoutMs: 30_000, what: 'three interval runs' });
    await client.ok(PIPELINE_ADMIN.delete, { id: busy.id });
    for (const id of ids.slice(1)) await waitFor(() => client.endsOf(id).length >= 1, { timeoutMs: 30_000, what: 'fan-out runs' });

    const runs = client.endsOf(busy.id).map((e) => e.run).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    for (let i = 1; i < runs.length; i++) expect(runs[i]!.startedAt >= runs[i - 1]!.finishedAt!).toBe(true);
    expect(runs.every((r) => r.trigger === 'interval')).toBe(true);

    const runsPerReplica = await Promise.all(workers.map(async (w) => (await w.runtime.registry.getSingleMetric('pipeline_runs_total')!.get()).values.reduce((n, v) => n + v.value, 0)));
    expect(runsPerReplica.every((n) => n > 0)).toBe(true);
  });

  it('pause stops a run after its current batch; resume continues it from the checkpoint', async () => {
    await tables.createSource('slow_src');
    await tables.createDestination('slow_dst');
    await tables.insertRows('slow_src', 1, 1500);
    const pipeline = await register(postgresPipeline('slow sync', db.url, 'slow_src', 'slow_dst', { processors: [{ type: 'delay', config: { ms: 1 } }], batchSize: 25 }));
    const runId = await execute(pipeline.id);
    await waitFor(() => client.written.some((w) => w.runId === runId && w.batch >= 2), { timeoutMs: 20_000, what: 'two batches written' });
    await client.ok(PIPELINE_ADMIN.pause, { id: pipeline.id });

    const stopped = await ended(runId);
    expect(stopped.run).toMatchObject({ outcome: 'stopped', stopReason: 'paused' });
    expect(stopped.run.read).toBeLessThan(1500);
    const st = await status(pipeline.id);
    expect(st.state).toBe('paused');
    expect(st.checkpoint.position).not.toBeNull();
    expect(await tables.count('slow_dst')).toBe(stopped.run.written);

    const endsBefore = client.endsOf(pipeline.id).length;
    await client.ok(PIPELINE_ADMIN.resume, { id: pipeline.id });
    const resumed = await waitFor(() => client.endsOf(pipeline.id)[endsBefore], { timeoutMs: 30_000, what: 'the resumed run' });
    expect(resumed.run).toMatchObject({ outcome: 'completed', trigger: 'resume', resumedFrom: expect.objectContaining({ keys: expect.any(Array) }) });
    expect(stopped.run.read + resumed.run.read).toBe(1500);
    expect(await tables.differences('slow_src', 'slow_dst')).toBe(0);
  });

  it('runs on interval and cron schedules, and on events matching a topic pattern (a burst becomes at most two runs)', async () => {
    await tables.createSource('sched_src');
    await tables.insertRows('sched_src', 1, 10);
    for (const t of ['interval_dst', 'cron_dst', 'event_dst']) await tables.createDestination(t);
    const interval = await register(postgresPipeline('every 300ms', db.url, 'sched_src', 'interval_dst', { schedule: { type: 'interval', everyMs: 300 } }));
    const cron = await register(postgresPipeline('every second', db.url, 'sched_src', 'cron_dst', { schedule: { type: 'cron', cron: '* * * * * *' } }));
    const event = await register(postgresPipeline('on orders', db.url, 'sched_src', 'event_dst', { schedule: { type: 'event', event: 'orders.*' } }));

    await waitFor(() => client.endsOf(interval.id).length >= 2, { timeoutMs: 20_000, what: 'two interval runs' });
    await waitFor(() => client.endsOf(cron.id).length >= 2, { timeoutMs: 20_000, what: 'two cron runs' });
    expect(client.endsOf(interval.id).every((e) => e.run.trigger === 'interval')).toBe(true);
    expect(client.endsOf(cron.id).every((e) => e.run.trigger === 'cron')).toBe(true);
    expect(await tables.differences('sched_src', 'cron_dst')).toBe(0);

    // A paused pipeline lets its slots pass.
    await client.ok(PIPELINE_ADMIN.pause, { id: interval.id });
    await new Promise((resolve) => setTimeout(resolve, 400)); // any run starting before the pause was seen ends
    const runsWhenPaused = client.endsOf(interval.id).length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(client.endsOf(interval.id).length).toBe(runsWhenPaused);

    expect(client.endsOf(event.id)).toHaveLength(0);
    const js = jetstream(client.nc);
    await js.publish(subjectFor.event('customers.created'), JSON.stringify({ id: 1 })); // does not match orders.*
    for (let i = 0; i < 20; i++) await js.publish(subjectFor.event('orders.created'), JSON.stringify({ id: i }));
    await waitFor(() => client.endsOf(event.id).length >= 1, { timeoutMs: 20_000, what: 'an event-triggered run' });
    await new Promise((resolve) => setTimeout(resolve, 1000)); // let any queued follow-up run happen
    const eventRuns = client.endsOf(event.id);
    expect(eventRuns.length).toBeLessThanOrEqual(2);
    expect(eventRuns.every((e) => e.run.trigger === 'event')).toBe(true);
    expect(await tables.differences('sched_src', 'event_dst')).toBe(0);

    for (const p of [interval, cron, event]) await client.ok(PIPELINE_ADMIN.delete, { id: p.id });
  });
});
