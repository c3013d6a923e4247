import type { PipelineSchedule } from '@autoweave/contracts';
import type { Cron } from 'croner';
import { cronOf } from '../pipelines/pipeline-validation.js';

/** A schedule slot that is due: its number (claimed across replicas) and the schedule it belongs to. */
export interface DueSlot {
  schedule: string;
  slot: number;
}

/**
 * When interval and cron schedules are due, as pure arithmetic over the
 * clock. Interval slots are `floor(now / everyMs)`: the first slot is due as
 * soon as a replica sees the pipeline, then one every `everyMs`. Cron slots
 * are fire times (ms) from croner; a slot is due once its time has passed
 * and is never older than the last one seen (missed fires are not replayed).
 */
export class ScheduleClock {
  private readonly crons = new Map<string, { key: string; cron: Cron; next: number }>();

  /** The slot due now for a pipeline, if any (the same slot again until a later one is due). */
  due(pipelineId: string, schedule: PipelineSchedule, now: number): DueSlot | undefined {
    if (schedule.type === 'interval' && schedule.everyMs) {
      return { schedule: `interval:${schedule.everyMs}`, slot: Math.floor(now / schedule.everyMs) };
    }
    if (schedule.type === 'cron' && schedule.cron) {
      const key = `cron:${schedule.cron}:${schedule.timezone ?? 'UTC'}`;
      let entry = this.crons.get(pipelineId);
      if (!entry || entry.key !== key) {
        const cron = cronOf(schedule);
        entry = { key, cron, next: cron.nextRun(new Date(now))?.getTime() ?? Number.POSITIVE_INFINITY };
        this.crons.set(pipelineId, entry);
      }
      if (now < entry.next) return undefined;
      const slot = entry.next;
      entry.next = entry.cron.nextRun(new Date(now))?.getTime() ?? Number.POSITIVE_INFINITY;
      return { schedule: key, slot };
    }
    return undefined;
  }

  forget(pipelineId: string): void {
    this.crons.delete(pipelineId);
  }
}
