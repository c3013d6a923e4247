import type { PipelineTrigger } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import type { PipelineDefinitions } from '../pipelines/pipeline-definitions.js';
import type { RunCoordinator } from '../runs/run-coordinator.js';
import type { ScheduleClock } from './schedule-clock.js';
import type { SlotClaims } from './slot-claims.js';

export interface SchedulerDeps {
  definitions: PipelineDefinitions;
  coordinator: RunCoordinator;
  claims: SlotClaims;
  clock: ScheduleClock;
  tickMs: number;
  logger: Logger;
}

/**
 * Every replica ticks: for each interval or cron pipeline whose slot is due,
 * it claims the slot (one replica wins it) and starts the run if the
 * pipeline is free; a pipeline still running its previous run skips the
 * slot. A paused or disabled pipeline lets its slots pass. Each tick also
 * sweeps queued and orphaned runs.
 */
export class Scheduler {
  private timer?: NodeJS.Timeout;
  /** The last slot this replica acted on, per pipeline (so a slot costs one KV round trip per replica). */
  private readonly attempted = new Map<string, string>();

  constructor(private readonly deps: SchedulerDeps) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.deps.tickMs);
    this.timer.unref();
    this.deps.definitions.onChange((id, stored) => {
      if (!stored) {
        this.attempted.delete(id);
        this.deps.clock.forget(id);
      }
    });
  }

  stop(): void {
    clearInterval(this.timer);
  }

  tick(now = Date.now()): void {
    for (const { record } of this.deps.definitions.all()) {
      let due;
      try {
        due = this.deps.clock.due(record.id, record.schedule, now);
      } catch (err) {
        this.deps.logger.warn({ pipeline: record.id, err: (err as Error).message }, 'schedule cannot be computed');
        continue;
      }
      if (!due || !record.enabled || record.paused) continue;
      const key = `${due.schedule}@${due.slot}`;
      if (this.attempted.get(record.id) === key || !this.deps.coordinator.hasCapacity()) continue;
      this.attempted.set(record.id, key);
      void this.fire(record.id, record.schedule.type as PipelineTrigger, due.schedule, due.slot);
    }
    this.deps.coordinator.sweep();
  }

  private async fire(pipelineId: string, trigger: PipelineTrigger, schedule: string, slot: number): Promise<void> {
    try {
      if (!(await this.deps.claims.claim(pipelineId, schedule, slot))) return;
      const runId = await this.deps.coordinator.scheduled(pipelineId, trigger);
      if (!runId) this.deps.logger.debug({ pipeline: pipelineId, slot }, 'schedule slot skipped: the pipeline is busy');
    } catch (err) {
      this.deps.logger.warn({ pipeline: pipelineId, err: (err as Error).message }, 'scheduled run could not start');
    }
  }
}
