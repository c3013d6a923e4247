import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUCKETS, PIPELINE_ADMIN, PING, type PipelineRunStarted, type PipelineStatusView, type PipelineView } from '@autoweave/contracts';
import { createTestDatabase, startNatsServer, waitFor, type NatsServerHandle, type TestDatabase } from '@autoweave/testing';
import { Kvm } from '@nats-io/kv';
import type { Checkpoint } from './runs/checkpoint-store.js';
import { postgresPipeline, TestClient, TestTables, workerEnv } from './testing/harness.js';

const ROWS = 30_000;
const BATCH = 100;
const main = join(dirname(fileURLToPath(import.meta.url)), '../dist/main.js');

/** The worker as its own process (node dist/main.js), as it runs in production. */
function startWorker(natsUrl: string): ChildProcess {
  if (!existsSync(main)) throw new Error(`${main} is missing: run pnpm build first`);
  const env = workerEnv(natsUrl, { LOG_LEVEL: 'warn', AUTOWEAVE_PIPELINE_LEASE_TTL_MS: '2000', PATH: process.env.PATH ?? '' });
  const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  return child;
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)));

describe('pipeline-worker - a worker killed mid-run (SIGKILL) is resumed by another from its checkpoint', () => {
  let nats: NatsServerHandle;
  let db: TestDatabase;
  let tables: TestTables;
  let client: TestClient;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    nats = await startNatsServer();
    db = await createTestDatabase('autoweave_pipelines');
    tables = new TestTables(db.url);
    await tables.createSource('big_src');
    await tables.createDestination('big_dst');
    await tables.insertRows('big_src', 1, ROWS);
    client = await TestClient.connect(nats.url);
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await client?.close();
    await tables?.close();
    await db?.drop();
    await nats?.stop();
  });

  const ping = () => waitFor(async () => (await client.ask(PING.pipelineWorker, {}, 1000)).ok, { timeoutMs: 20_000, what: 'a worker on the bus' });

  it('loses no row, duplicates none, and resumes where the dead worker checkpointed (not from zero)', async () => {
    const first = startWorker(nats.url);
    children.push(first);
    await ping();
    const pipeline = await client.ok<PipelineView>(PIPELINE_ADMIN.register, postgresPipeline('big sync', db.url, 'big_src', 'big_dst', { batchSize: BATCH }));
    const { runId } = await client.ok<PipelineRunStarted>(PIPELINE_ADMIN.execute, { id: pipeline.id });

    await waitFor(() => client.written.some((w) => w.runId === runId && w.batch >= 20), { timeoutMs: 60_000, what: 'twenty batches written' });
    first.kill('SIGKILL');
    await exited(first);
    expect(client.endOf(runId)).toBeUndefined(); // it really died mid-run
    const copiedAtKill = await tables.count('big_dst');
    expect(copiedAtKill).toBeLessThan(ROWS);

    const cursors = await new Kvm(client.nc).open(BUCKETS.pipelineCursors);
    const checkpoint = (await cursors.get(pipeline.id))!.json<Checkpoint>();
    expect(checkpoint).toMatchObject({ runId, batch: expect.any(Number), position: expect.objectContaining({ keys: expect.any(Array) }) });
    // Never ahead of the destination: every checkpointed batch is in it.
    expect(copiedAtKill).toBeGreaterThanOrEqual(checkpoint.batch * BATCH);

    const second = startWorker(nats.url);
    children.push(second);
    const recovered = await waitFor(() => client.completed.find((e) => e.pipelineId === pipeline.id && e.run.trigger === 'recovery'), {
      timeoutMs: 60_000,
      what: 'the recovery run to complete',
    });
    expect(recovered.run.outcome).toBe('completed');
    expect(recovered.run.resumedFrom).toEqual(checkpoint.position);
    expect(recovered.run.read).toBe(ROWS - checkpoint.batch * BATCH);
    expect(client.failed.find((e) => e.run.runId === runId)?.run.error).toMatch(/stopped during the run/);

    expect(await tables.count('big_dst')).toBe(ROWS);
    expect(await tables.differences('big_src', 'big_dst')).toBe(0);
    const status = await client.ok<PipelineStatusView>(PIPELINE_ADMIN.status, { id: pipeline.id });
    expect(status).toMatchObject({ state: 'idle', lastRun: { runId: recovered.run.runId, outcome: 'completed' } });

    second.kill('SIGTERM');
    expect(await exited(second)).toBe(0);
  });

  it('on SIGTERM finishes the batch in hand, checkpoints, releases the lease, and another replica carries on', async () => {
    await tables.createDestination('big_dst2');
    const first = startWorker(nats.url);
    children.push(first);
    await ping();
    const pipeline = await client.ok<PipelineView>(PIPELINE_ADMIN.register, postgresPipeline('big sync 2', db.url, 'big_src', 'big_dst2', { batchSize: BATCH }));
    const { runId } = await client.ok<PipelineRunStarted>(PIPELINE_ADMIN.execute, { id: pipeline.id });
    await waitFor(() => client.written.some((w) => w.runId === runId && w.batch >= 10), { timeoutMs: 60_000, what: 'ten batches written' });
    const second = startWorker(nats.url);
    children.push(second);

    first.kill('SIGTERM');
    expect(await exited(first)).toBe(0);
    const stopped = client.endOf(runId);
    expect(stopped?.run).toMatchObject({ outcome: 'stopped', stopReason: 'shutdown' });
    const cursors = await new Kvm(client.nc).open(BUCKETS.pipelineCursors);
    const checkpoint = (await cursors.get(pipeline.id))!.json<Checkpoint>();
    expect(checkpoint).toMatchObject({ runId, batch: stopped!.run.batches });
    expect(await tables.count('big_dst2')).toBe(stopped!.run.written);

    const continued = await waitFor(() => client.completed.find((e) => e.pipelineId === pipeline.id && e.run.runId !== runId), { timeoutMs: 60_000, what: 'the run to be continued' });
    expect(continued.run).toMatchObject({ outcome: 'completed', trigger: 'recovery', resumedFrom: checkpoint.position, read: ROWS - stopped!.run.read });
    expect(await tables.differences('big_src', 'big_dst2')).toBe(0);
    second.kill('SIGTERM');
    expect(await exited(second)).toBe(0);
  });
});
