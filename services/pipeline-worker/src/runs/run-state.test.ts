import { describe, expect, it } from '@jest/globals';
import type { RunSummary } from '@autoweave/contracts';
import type { LeaseValue } from './run-lease.js';
import { emptyTotals, type RunStatusRecord } from './run-status.js';
import { holdsUnfinishedRun } from './run-state.js';

const lease = (runId: string): LeaseValue => ({ owner: 'w1', runId, acquiredAt: new Date().toISOString(), expiresAt: Date.now() + 10_000 });
const summary = (runId: string, outcome?: RunSummary['outcome']): RunSummary => ({
  runId,
  trigger: 'manual',
  startedAt: new Date().toISOString(),
  resumedFrom: null,
  read: 1,
  written: 1,
  failed: 0,
  dropped: 0,
  batches: 1,
  ...(outcome ? { outcome } : {}),
});
const status = (parts: Partial<RunStatusRecord>): RunStatusRecord => ({ pipelineId: 'p', totals: emptyTotals(), updatedAt: new Date().toISOString(), ...parts });

describe('pipeline state: is a run in progress?', () => {
  it('is not while no one holds the lease', () => {
    expect(holdsUnfinishedRun(undefined, status({ current: { ...summary('r1'), owner: 'w1' } }))).toBe(false);
  });

  it('is while the lease holder has not recorded its end, also before it wrote its first progress', () => {
    expect(holdsUnfinishedRun(lease('r2'), status({}))).toBe(true);
    expect(holdsUnfinishedRun(lease('r2'), status({ lastRun: summary('r1', 'completed') }))).toBe(true);
  });

  it('is not once the holder recorded its run as ended, in the moment before it releases the lease', () => {
    expect(holdsUnfinishedRun(lease('r2'), status({ lastRun: summary('r2', 'completed') }))).toBe(false);
  });
});
