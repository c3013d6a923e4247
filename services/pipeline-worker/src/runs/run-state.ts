import type { PipelineState } from '@autoweave/contracts';
import type { StoredPipeline } from '../pipelines/pipeline-record.js';
import type { LeaseValue } from './run-lease.js';
import type { RunStatusRecord } from './run-status.js';

/**
 * A run records its end before it releases its lease, so a lease alone is not
 * "running": the holder's run must not be the one already recorded as last.
 */
export function holdsUnfinishedRun(holder: LeaseValue | undefined, status: RunStatusRecord): boolean {
  return holder !== undefined && holder.runId !== status.lastRun?.runId;
}

export function stateOf(stored: StoredPipeline, running: boolean): PipelineState {
  if (stored.record.paused) return 'paused';
  if (running) return 'running';
  return stored.record.enabled ? 'idle' : 'disabled';
}
