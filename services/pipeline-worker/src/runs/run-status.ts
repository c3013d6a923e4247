import type { PipelineTotals, RunOutcome, RunSummary } from '@autoweave/contracts';
import { KvSnapshot, type KV } from '@autoweave/messaging';
import { PIPELINE_KEYS } from '../pipelines/pipeline-record.js';

/** A pipeline's run status under `s.<id>` in the `pipelines` bucket; written by the lease holder only. */
export interface RunStatusRecord {
  pipelineId: string;
  /** The run in progress; left behind by a worker that died, which is how its run is found and resumed. */
  current?: RunSummary & { owner: string };
  lastRun?: RunSummary;
  lastError?: { message: string; runId: string; at: string };
  totals: PipelineTotals;
  lag?: number;
  updatedAt: string;
}

export function emptyTotals(): PipelineTotals {
  return { runs: 0, completed: 0, failed: 0, stopped: 0, read: 0, written: 0, failedItems: 0, dropped: 0, batches: 0, batchSeconds: 0 };
}

export function addTotals(a: PipelineTotals, b: PipelineTotals): PipelineTotals {
  const out = emptyTotals();
  for (const key of Object.keys(out) as Array<keyof PipelineTotals>) out[key] = a[key] + b[key];
  return out;
}

const STATUS_PREFIX = 's.';

/**
 * Run status of every pipeline: written to the bucket by the replica that
 * runs the pipeline, read from a watched snapshot by every replica (status
 * and metrics replies, and the sweep that finds runs orphaned by a dead
 * worker).
 */
export class RunStatusStore {
  private readonly snapshot: KvSnapshot<RunStatusRecord>;

  constructor(private readonly kv: KV) {
    this.snapshot = new KvSnapshot<RunStatusRecord>(kv, STATUS_PREFIX, (value) => value as RunStatusRecord);
  }

  start(): Promise<void> {
    return this.snapshot.start();
  }

  stop(): void {
    this.snapshot.stop();
  }

  /** From the snapshot (current to within a watch delivery). */
  cached(pipelineId: string): RunStatusRecord | undefined {
    return this.snapshot.get(pipelineId);
  }

  all(): RunStatusRecord[] {
    return this.snapshot.all();
  }

  /** From the bucket itself. */
  async read(pipelineId: string): Promise<RunStatusRecord> {
    const entry = await this.kv.get(PIPELINE_KEYS.status(pipelineId));
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return { pipelineId, totals: emptyTotals(), updatedAt: new Date().toISOString() };
    return entry.json<RunStatusRecord>();
  }

  async write(record: RunStatusRecord): Promise<void> {
    await this.kv.put(PIPELINE_KEYS.status(record.pipelineId), JSON.stringify({ ...record, updatedAt: new Date().toISOString() }));
  }

  async delete(pipelineId: string): Promise<void> {
    await this.kv.purge(PIPELINE_KEYS.status(pipelineId));
  }
}

/** The totals a finished run adds. */
export function runTotals(run: RunSummary, outcome: RunOutcome, batchSeconds: number): PipelineTotals {
  return {
    runs: 1,
    completed: outcome === 'completed' ? 1 : 0,
    failed: outcome === 'failed' ? 1 : 0,
    stopped: outcome === 'stopped' ? 1 : 0,
    read: run.read,
    written: run.written,
    failedItems: run.failed,
    dropped: run.dropped,
    batches: run.batches,
    batchSeconds,
  };
}
