import { AppError, PIPELINE_LIMITS, type PipelineSchedule, type PipelineScheduleDto, type PipelineStage, type PipelineStageDto } from '@autoweave/contracts';
import type { StorageAdapterFactory } from '@autoweave/storage';
import { Cron } from 'croner';

export interface ValidatedStages {
  source: PipelineStage;
  processors: PipelineStage[];
  destination: PipelineStage;
}

/**
 * Checks each stage against the component registry: the type must be
 * registered for its role and its config must pass the component's schema
 * (VALIDATION names the field, e.g. `source.config.table`). Returns the
 * configs with the schema's defaults filled in.
 */
export function validateStages(
  factory: StorageAdapterFactory,
  stages: { source: PipelineStageDto; processors?: PipelineStageDto[]; destination: PipelineStageDto },
): ValidatedStages {
  return {
    source: { type: stages.source.type, config: factory.validateAdapterConfig(stages.source.type, 'source', stages.source.config ?? {}, 'source') },
    processors: (stages.processors ?? []).map((p, i) => ({
      type: p.type,
      config: factory.validateProcessorConfig(p.type, p.config ?? {}, `processors.${i}`),
    })),
    destination: {
      type: stages.destination.type,
      config: factory.validateAdapterConfig(stages.destination.type, 'destination', stages.destination.config ?? {}, 'destination'),
    },
  };
}

/** The schedule as stored: only the fields of its type; cron expressions and time zones are checked here. */
export function validateSchedule(schedule: PipelineScheduleDto | undefined): PipelineSchedule {
  if (!schedule) return { type: 'manual' };
  switch (schedule.type) {
    case 'manual':
      return { type: 'manual' };
    case 'interval':
      return { type: 'interval', everyMs: schedule.everyMs! };
    case 'event':
      return { type: 'event', event: schedule.event! };
    case 'cron': {
      const timezone = schedule.timezone ?? 'UTC';
      cronOf({ type: 'cron', cron: schedule.cron!, timezone });
      return { type: 'cron', cron: schedule.cron!, timezone };
    }
    default:
      throw new AppError('VALIDATION', `schedule.type must be one of manual, interval, cron, event`, { field: 'schedule.type' });
  }
}

/** A paused croner job for a cron schedule (used to compute fire times, never to run anything itself). */
export function cronOf(schedule: PipelineSchedule): Cron {
  const timezone = schedule.timezone ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new AppError('VALIDATION', `schedule.timezone "${timezone}" is not an IANA time zone (e.g. UTC, Europe/Berlin)`, { field: 'schedule.timezone' });
  }
  try {
    const cron = new Cron(schedule.cron!, { paused: true, timezone });
    cron.nextRun();
    return cron;
  } catch (err) {
    throw new AppError('VALIDATION', `schedule.cron is not a valid cron expression: ${(err as Error).message}`, { field: 'schedule.cron' });
  }
}

export function batchSizeOf(batchSize: number | undefined): number {
  return batchSize ?? PIPELINE_LIMITS.defaultBatchSize;
}
