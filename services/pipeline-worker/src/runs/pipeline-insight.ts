import type { PipelineMetricsView, PipelineStatusView, RunProgress } from '@autoweave/contracts';
import type { StoredPipeline } from '../pipelines/pipeline-record.js';
import type { PipelineRepository } from '../pipelines/pipeline.repository.js';
import type { CheckpointStore } from './checkpoint-store.js';
import type { DeadLetterQueue } from './dead-letters.js';
import type { LeaseManager } from './run-lease.js';
import { addTotals, emptyTotals, type RunStatusRecord, type RunStatusStore } from './run-status.js';
import { holdsUnfinishedRun, stateOf } from './run-state.js';

export interface PipelineInsightDeps {
  repository: PipelineRepository;
  status: RunStatusStore;
  checkpoints: CheckpointStore;
  leases: LeaseManager;
  deadLetters: DeadLetterQueue;
}

/**
 * `status` and `metrics` replies, read from the stores (not from this
 * replica's memory), so every replica gives the same answer.
 */
export class PipelineInsight {
  constructor(private readonly deps: PipelineInsightDeps) {}

  async status(pipelineId: string): Promise<PipelineStatusView> {
    const stored = await this.deps.repository.require(pipelineId);
    const [status, holder, checkpoint, deadLetters] = await Promise.all([
      this.deps.status.read(pipelineId),
      this.deps.leases.holder(pipelineId),
      this.deps.checkpoints.get(pipelineId),
      this.deps.deadLetters.count(pipelineId),
    ]);
    const running = holder !== undefined && status.current !== undefined;
    const { owner: _owner, ...currentRun } = status.current ?? { owner: '' };
    const { record } = stored;
    return {
      id: record.id,
      name: record.name,
      state: stateOf(stored, holdsUnfinishedRun(holder, status)),
      enabled: record.enabled,
      paused: record.paused,
      schedule: record.schedule,
      ...(running ? { currentRun: currentRun as PipelineStatusView['currentRun'] } : {}),
      ...(status.lastRun ? { lastRun: status.lastRun } : {}),
      ...(status.lastError ? { lastError: status.lastError } : {}),
      progress: progressOf(running ? status.current : status.lastRun),
      ...(status.lag === undefined ? {} : { lag: status.lag }),
      checkpoint: { position: checkpoint?.position ?? null, ...(checkpoint ? { at: checkpoint.at } : {}) },
      deadLetters,
    };
  }

  async metrics(pipelineId?: string): Promise<PipelineMetricsView> {
    const pipelines = pipelineId ? [await this.deps.repository.require(pipelineId)] : await this.deps.repository.list();
    const rows = await Promise.all(
      pipelines.map(async (stored) => {
        const [status, holder] = await Promise.all([this.deps.status.read(stored.record.id), this.deps.leases.holder(stored.record.id)]);
        return row(stored, status, holdsUnfinishedRun(holder, status));
      }),
    );
    rows.sort((a, b) => a.name.localeCompare(b.name));
    return { pipelines: rows, totals: rows.reduce((sum, r) => addTotals(sum, r.totals), emptyTotals()) };
  }
}

function row(stored: StoredPipeline, status: RunStatusRecord, running: boolean): PipelineMetricsView['pipelines'][number] {
  const { totals } = status;
  return {
    id: stored.record.id,
    name: stored.record.name,
    state: stateOf(stored, running),
    totals,
    meanBatchSeconds: totals.batches === 0 ? 0 : Number((totals.batchSeconds / totals.batches).toFixed(6)),
    ...(status.lastRun ? { lastRun: status.lastRun } : {}),
  };
}

function progressOf(run: RunProgress | undefined): RunProgress {
  return { read: run?.read ?? 0, written: run?.written ?? 0, failed: run?.failed ?? 0, dropped: run?.dropped ?? 0, batches: run?.batches ?? 0 };
}
