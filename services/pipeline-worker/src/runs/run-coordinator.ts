import { randomUUID } from 'node:crypto';
import { AppError, PIPELINE_EVENTS, type PipelineExecutionEvent, type PipelineRunStarted, type PipelineTrigger, type RunSummary } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import type { PipelineDefinitions } from '../pipelines/pipeline-definitions.js';
import type { PipelineRegistry } from '../pipelines/pipeline-registry.js';
import type { PipelineRepository } from '../pipelines/pipeline.repository.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { PipelineRun, type RunDeps } from './pipeline-run.js';
import type { Lease, LeaseManager } from './run-lease.js';
import type { RunQueue } from './run-queue.js';
import { addTotals, runTotals, type RunStatusStore } from './run-status.js';

export interface RunCoordinatorDeps {
  definitions: PipelineDefinitions;
  repository: PipelineRepository;
  registry: PipelineRegistry;
  leases: LeaseManager;
  queue: RunQueue;
  status: RunStatusStore;
  checkpoints: CheckpointStore;
  run: RunDeps;
  logger: Logger;
  /** Runs this replica takes on by itself (scheduled, queued, recovered); manual runs are not limited. */
  maxConcurrentRuns: number;
}

interface ActiveRun {
  runId: string;
  /** Settles when the run ended and its lease is released. */
  settled: Promise<void>;
}

/** Triggers that fire by themselves: they do nothing for a disabled pipeline. */
const SCHEDULED: ReadonlySet<PipelineTrigger> = new Set<PipelineTrigger>(['interval', 'cron', 'event']);

/**
 * Decides who runs what. A run starts only with the pipeline's lease, so
 * across all replicas a pipeline runs at most once at a time; whichever
 * replica gets the lease runs it, which spreads pipelines over replicas.
 *
 * A trigger that must not be lost (an event, a resume, a run cut short by a
 * shutdown) and finds the pipeline busy leaves a flag in the run queue. A
 * run that ends releases its lease and then looks at the queue; the
 * requester, after setting the flag, tries the lease once more. Whichever
 * order these happen in, one of the two sees the other, so the flag is never
 * stranded. Each replica's tick also sweeps the queue and resumes runs whose
 * worker died (their status says running, nobody holds their lease).
 */
export class RunCoordinator {
  private readonly active = new Map<string, ActiveRun>();
  /** Pipelines this replica is trying to start now (one attempt at a time per pipeline). */
  private readonly starting = new Set<string>();
  /** Pipelines deleted while this replica watched (a missing definition is otherwise just not seen yet). */
  private readonly deleted = new Set<string>();
  private stopping = false;

  constructor(private readonly deps: RunCoordinatorDeps) {
    deps.definitions.onChange((id, stored) => {
      if (stored) this.deleted.delete(id);
      else this.deleted.add(id);
    });
  }

  get activeCount(): number {
    return this.active.size;
  }

  activeRunId(pipelineId: string): string | undefined {
    return this.active.get(pipelineId)?.runId;
  }

  /** `pipeline.admin.execute`: runs now, or says who is running it. */
  async execute(pipelineId: string): Promise<PipelineRunStarted> {
    const stored = await this.deps.repository.require(pipelineId);
    if (stored.record.paused) throw new AppError('CONFLICT', `pipeline ${stored.record.name} is paused; resume it first`, { id: pipelineId, state: 'paused' });
    if (this.stopping) throw new AppError('UNAVAILABLE', 'this worker is shutting down; try again');
    const runId = await this.start(pipelineId, 'manual');
    if (runId) return { runId };
    const holder = await this.deps.leases.holder(pipelineId);
    throw new AppError('CONFLICT', `pipeline ${stored.record.name} is running${holder ? ` (run ${holder.runId})` : ''}; one run at a time`, {
      id: pipelineId,
      state: 'running',
      ...(holder ? { runId: holder.runId } : {}),
    });
  }

  /** A trigger that must not be lost: runs now, or queues one more run after the current one. */
  async request(pipelineId: string, trigger: PipelineTrigger): Promise<void> {
    const stored = this.deps.definitions.get(pipelineId);
    if (!stored || (SCHEDULED.has(trigger) && !stored.record.enabled)) return;
    if (!stored.record.paused && this.hasCapacity() && (await this.start(pipelineId, trigger))) return;
    await this.deps.queue.request(pipelineId, trigger);
    await this.takeQueued(pipelineId);
  }

  /** After a resume: a run that the pause cut short goes on from its checkpoint. */
  async resumed(pipelineId: string): Promise<void> {
    const status = await this.deps.status.read(pipelineId);
    if (status.lastRun?.stopReason === 'paused' || status.current) await this.request(pipelineId, 'resume');
  }

  /** A schedule slot: runs now if the pipeline is free; a busy pipeline skips the slot. */
  async scheduled(pipelineId: string, trigger: PipelineTrigger): Promise<string | undefined> {
    const stored = this.deps.definitions.get(pipelineId);
    if (!stored || stored.record.paused || !stored.record.enabled || !this.hasCapacity()) return undefined;
    return this.start(pipelineId, trigger);
  }

  /** Picks up queued runs and runs orphaned by a dead worker (called on every tick). */
  sweep(): void {
    if (this.stopping) return;
    for (const queued of this.deps.queue.queued()) {
      if (this.hasCapacity()) void this.takeQueued(queued.pipelineId).catch((err: unknown) => this.warn(queued.pipelineId, err, 'could not start a queued run'));
    }
    for (const status of this.deps.status.all()) {
      if (status.current && !this.active.has(status.pipelineId) && this.hasCapacity()) {
        void this.recover(status.pipelineId).catch((err: unknown) => this.warn(status.pipelineId, err, 'could not resume an orphaned run'));
      }
    }
  }

  /**
   * Graceful shutdown: every run stops after its current batch (checkpointed),
   * releases its lease, and queues a run so another replica continues it.
   */
  async shutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.active.values()].map((a) => a.settled));
  }

  hasCapacity(): boolean {
    return this.active.size + this.starting.size < this.deps.maxConcurrentRuns;
  }

  /** Takes the lease and starts the run in the background; its id, or undefined when the pipeline is busy. */
  private async start(pipelineId: string, trigger: PipelineTrigger): Promise<string | undefined> {
    if (this.active.has(pipelineId) || this.starting.has(pipelineId) || this.stopping) return undefined;
    this.starting.add(pipelineId);
    try {
      const runId = randomUUID();
      const lease = await this.deps.leases.acquire(pipelineId, runId);
      if (!lease) return undefined;
      return await this.launch(pipelineId, runId, trigger, lease);
    } finally {
      this.starting.delete(pipelineId);
    }
  }

  /** Runs a queued request if there is one and the lease is free (lease first: a taken flag is never dropped). */
  private async takeQueued(pipelineId: string): Promise<void> {
    const stored = this.deps.definitions.get(pipelineId);
    if (!stored || stored.record.paused || this.active.has(pipelineId) || this.starting.has(pipelineId) || this.stopping) return;
    this.starting.add(pipelineId);
    try {
      const runId = randomUUID();
      const lease = await this.deps.leases.acquire(pipelineId, runId);
      if (!lease) return;
      const queued = await this.deps.queue.take(pipelineId).catch(() => undefined);
      if (!queued) return void (await lease.release());
      await this.launch(pipelineId, runId, queued.trigger, lease);
    } finally {
      this.starting.delete(pipelineId);
    }
  }

  /** A run whose worker died (status says running, no lease): recorded as failed, then resumed from its checkpoint. */
  private async recover(pipelineId: string): Promise<void> {
    const stored = this.deps.definitions.get(pipelineId);
    if (!stored || stored.record.paused || this.active.has(pipelineId) || this.starting.has(pipelineId) || this.stopping) return;
    if (await this.deps.leases.holder(pipelineId)) return;
    this.starting.add(pipelineId);
    try {
      const runId = randomUUID();
      const lease = await this.deps.leases.acquire(pipelineId, runId);
      if (!lease) return;
      const status = await this.deps.status.read(pipelineId);
      if (!status.current) return void (await lease.release()); // it ended after all (the snapshot was behind)
      const { current, ...rest } = status;
      const { owner, ...orphan } = current;
      const lost: RunSummary = { ...orphan, outcome: 'failed', finishedAt: new Date().toISOString(), error: `the worker running it (${owner}) stopped during the run` };
      await this.deps.status.write({ ...rest, lastRun: lost, lastError: { message: lost.error!, runId: lost.runId, at: lost.finishedAt! }, totals: addTotals(status.totals, runTotals(lost, 'failed', 0)) });
      const event: PipelineExecutionEvent = { pipelineId, name: stored.record.name, run: lost, at: lost.finishedAt! };
      this.deps.run.publish(PIPELINE_EVENTS.executionFailed, event);
      this.deps.logger.warn({ pipeline: pipelineId, run: lost.runId, owner }, 'resuming a run whose worker stopped');
      await this.launch(pipelineId, runId, 'recovery', lease);
    } finally {
      this.starting.delete(pipelineId);
    }
  }

  private async launch(pipelineId: string, runId: string, trigger: PipelineTrigger, lease: Lease): Promise<string | undefined> {
    let revision: number;
    let run: PipelineRun;
    try {
      const stored = await this.deps.repository.get(pipelineId);
      if (!stored || stored.record.paused) {
        await lease.release();
        return undefined;
      }
      revision = stored.revision;
      // This run serves any request queued before it started.
      await this.deps.queue.clear(pipelineId);
      run = new PipelineRun(this.deps.run, { pipeline: this.deps.registry.open(stored.record), runId, trigger, lease, stopReason: () => this.stopReason(pipelineId, revision) });
    } catch (err) {
      await lease.release();
      throw err;
    }
    this.deps.run.metrics.active.inc();
    const settled = run
      .execute()
      .then((summary) => this.finish(pipelineId, summary, lease))
      .catch((err: unknown) => this.warn(pipelineId, err, 'a run ended badly'))
      .finally(() => {
        this.active.delete(pipelineId);
        this.deps.run.metrics.active.dec();
        if (!this.stopping) void this.takeQueued(pipelineId).catch((err: unknown) => this.warn(pipelineId, err, 'could not start a queued run'));
      });
    this.active.set(pipelineId, { runId, settled });
    return runId;
  }

  private async finish(pipelineId: string, summary: RunSummary, lease: Lease): Promise<void> {
    await lease.release();
    if (summary.stopReason === 'deleted') {
      // The run may have written after the delete cleaned up; clean up again.
      await Promise.all([this.deps.checkpoints.delete(pipelineId), this.deps.status.delete(pipelineId), this.deps.queue.clear(pipelineId)]).catch(() => undefined);
    } else if (summary.stopReason === 'shutdown') {
      await this.deps.queue.request(pipelineId, 'recovery').catch((err: unknown) => this.warn(pipelineId, err, 'could not queue the rest of a run cut short'));
    }
  }

  /** Why a running run should stop after its batch. A snapshot older than the run's start says nothing. */
  private stopReason(pipelineId: string, startRevision: number): string | undefined {
    if (this.stopping) return 'shutdown';
    const stored = this.deps.definitions.get(pipelineId);
    if (!stored) return this.deleted.has(pipelineId) ? 'deleted' : undefined;
    if (stored.revision < startRevision) return undefined;
    return stored.record.paused ? 'paused' : undefined;
  }

  private warn(pipelineId: string, err: unknown, message: string): void {
    this.deps.logger.warn({ pipeline: pipelineId, err: err instanceof Error ? err.message : String(err) }, message);
  }
}
