import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

export const PIPELINE_SCHEDULE_TYPES = ['manual', 'interval', 'cron', 'event'] as const;
export type PipelineScheduleType = (typeof PIPELINE_SCHEDULE_TYPES)[number];

/** Defaults and bounds of a pipeline definition (the worker applies the defaults). */
export const PIPELINE_LIMITS = {
  defaultBatchSize: 1000,
  maxBatchSize: 10_000,
  minIntervalMs: 100,
  maxIntervalMs: 31 * 24 * 60 * 60 * 1000,
  maxProcessors: 50,
} as const;

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]*$/;
const COMPONENT_TYPE = /^[a-z][a-z0-9_-]{0,49}$/;
/** An event topic pattern under `events.`: dot-separated tokens, `*` for one token, `>` (last) for the rest. */
const EVENT_PATTERN = /^(?:[A-Za-z0-9_-]+|\*)(?:\.(?:[A-Za-z0-9_-]+|\*))*(?:\.>)?$|^>$/;

/** One stage: an adapter (source, destination) or a processor, by registered type, with its config. */
export class PipelineStageDto {
  @IsString() @Matches(COMPONENT_TYPE, { message: 'type must be a registered component type (lower-case letters, digits, - or _)' })
  type!: string;

  /** Checked against the component's JSON Schema by the worker (VALIDATION names `<stage>.config.<field>`). */
  @IsOptional() @IsObject()
  config?: Record<string, unknown>;
}

/**
 * When a pipeline runs by itself. `manual`: only on execute. `interval`: every
 * `everyMs`. `cron`: a cron expression (5 or 6 fields; croner syntax) in
 * `timezone` (default UTC). `event`: when an event matching `event` (a topic
 * pattern such as `user.*` or `order.>`) is published on `events.>`.
 */
export class PipelineScheduleDto {
  @IsIn(PIPELINE_SCHEDULE_TYPES)
  type!: PipelineScheduleType;

  @ValidateIf((o: PipelineScheduleDto) => o.type === 'interval')
  @IsInt() @Min(PIPELINE_LIMITS.minIntervalMs) @Max(PIPELINE_LIMITS.maxIntervalMs)
  everyMs?: number;

  @ValidateIf((o: PipelineScheduleDto) => o.type === 'cron')
  @IsString() @MaxLength(200)
  cron?: string;

  @IsOptional() @IsString() @MaxLength(100)
  timezone?: string;

  @ValidateIf((o: PipelineScheduleDto) => o.type === 'event')
  @IsString() @MaxLength(200) @Matches(EVENT_PATTERN, { message: 'event must be a topic pattern such as user.created, user.* or order.>' })
  event?: string;
}

/** `pipeline.admin.register`: the seed's form. */
export class RegisterPipelineDto {
  @IsString() @MaxLength(100) @Matches(NAME, { message: 'name must start with a letter or digit and contain only letters, digits, spaces, dots, dashes and underscores' })
  name!: string;

  @IsOptional() @IsString() @MaxLength(2000)
  description?: string;

  @IsObject() @ValidateNested() @Type(() => PipelineStageDto)
  source!: PipelineStageDto;

  @IsOptional() @IsArray() @ArrayMaxSize(PIPELINE_LIMITS.maxProcessors) @ValidateNested({ each: true }) @Type(() => PipelineStageDto)
  processors?: PipelineStageDto[];

  @IsObject() @ValidateNested() @Type(() => PipelineStageDto)
  destination!: PipelineStageDto;

  @IsOptional() @IsInt() @Min(1) @Max(PIPELINE_LIMITS.maxBatchSize)
  batchSize?: number;

  @IsOptional() @IsObject() @ValidateNested() @Type(() => PipelineScheduleDto)
  schedule?: PipelineScheduleDto;

  /** A disabled pipeline keeps its definition but its schedule does not fire (execute still runs it). */
  @IsOptional() @IsBoolean()
  enabled?: boolean;

  @IsOptional() @IsObject()
  metadata?: Record<string, unknown>;
}

/** `pipeline.admin.get|execute|pause|resume|delete|status` */
export class PipelineIdDto {
  @IsUUID('4', { message: 'id must be a pipeline id (a UUID)' })
  id!: string;
}

/** `pipeline.admin.metrics`: one pipeline, or all of them without `id`. */
export class PipelineMetricsDto {
  @IsOptional() @IsUUID('4', { message: 'id must be a pipeline id (a UUID)' })
  id?: string;
}

/** `pipeline.admin.dead-letters`: the oldest first. */
export class ListDeadLettersDto extends PipelineIdDto {
  @IsOptional() @IsInt() @Min(1) @Max(1000)
  limit?: number;
}

/** `pipeline.admin.retry-dead-letters`: all of them (up to `limit`), or the given stream sequences. */
export class RetryDeadLettersDto extends PipelineIdDto {
  @IsOptional() @IsInt() @Min(1) @Max(10_000)
  limit?: number;

  @IsOptional() @IsArray() @ArrayMaxSize(10_000) @IsInt({ each: true }) @Min(1, { each: true })
  seqs?: number[];
}

export interface PipelineStage {
  type: string;
  config: Record<string, unknown>;
}

export interface PipelineSchedule {
  type: PipelineScheduleType;
  everyMs?: number;
  cron?: string;
  timezone?: string;
  event?: string;
}

/** A pipeline as every read returns it: secret fields of stage configs masked as "***". */
export interface PipelineView {
  id: string;
  name: string;
  description?: string;
  source: PipelineStage;
  processors: PipelineStage[];
  destination: PipelineStage;
  batchSize: number;
  schedule: PipelineSchedule;
  enabled: boolean;
  paused: boolean;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  revision: number;
}

export interface PipelineList {
  items: PipelineView[];
  total: number;
}

export const PIPELINE_TRIGGERS = ['manual', 'interval', 'cron', 'event', 'resume', 'recovery'] as const;
export type PipelineTrigger = (typeof PIPELINE_TRIGGERS)[number];

/** How a run ended: `stopped` after a batch because of pause, delete, shutdown or a lost lease. */
export type RunOutcome = 'completed' | 'failed' | 'stopped';

export interface RunProgress {
  /** Items read from the source. */
  read: number;
  /** Items the destination acknowledged. */
  written: number;
  /** Items that failed processing (sent to the dead-letter stream). */
  failed: number;
  /** Items processors dropped (filter, dedupe). */
  dropped: number;
  batches: number;
}

export interface RunSummary extends RunProgress {
  runId: string;
  trigger: PipelineTrigger;
  outcome?: RunOutcome;
  /** Why a run stopped early: paused, deleted, shutdown, lease-lost. */
  stopReason?: string;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  /** The checkpoint the run started from (null: from the beginning). */
  resumedFrom: Record<string, unknown> | null;
  error?: string;
}

export type PipelineState = 'idle' | 'running' | 'paused' | 'disabled';

/** `pipeline.admin.status` */
export interface PipelineStatusView {
  id: string;
  name: string;
  state: PipelineState;
  enabled: boolean;
  paused: boolean;
  schedule: PipelineSchedule;
  /** The run in progress (its progress so far), if any. */
  currentRun?: RunSummary;
  lastRun?: RunSummary;
  lastError?: { message: string; runId: string; at: string };
  progress: RunProgress;
  /** Items the source still has beyond the checkpoint, when the source can tell. */
  lag?: number;
  checkpoint: { position: Record<string, unknown> | null; at?: string };
  /** Dead letters waiting in PIPELINE_DLQ. */
  deadLetters: number;
}

export interface PipelineTotals {
  runs: number;
  completed: number;
  failed: number;
  stopped: number;
  read: number;
  written: number;
  failedItems: number;
  dropped: number;
  batches: number;
  /** Sum of batch durations (read excluded: process, write, checkpoint), for the mean. */
  batchSeconds: number;
}

/** `pipeline.admin.metrics`: counts across every run and replica (kept in the pipelines bucket). */
export interface PipelineMetricsView {
  pipelines: Array<{ id: string; name: string; state: PipelineState; totals: PipelineTotals; meanBatchSeconds: number; lastRun?: RunSummary }>;
  totals: PipelineTotals;
}

/** The reply of `pipeline.admin.execute`: the run started. */
export interface PipelineRunStarted {
  runId: string;
}

/** One item a pipeline could not process, as kept in PIPELINE_DLQ. */
export interface DeadLetter {
  /** The stream sequence: names the entry for a retry. */
  seq: number;
  pipelineId: string;
  runId: string;
  /** Index of the processor that threw. */
  stage: number;
  processor: string;
  error: string;
  /** The item as the source read it. */
  item: Record<string, unknown>;
  attempts: number;
  at: string;
}

export interface DeadLetterList {
  pipelineId: string;
  items: DeadLetter[];
  total: number;
}

export interface RetryDeadLettersResult {
  pipelineId: string;
  retried: number;
  succeeded: number;
  failed: number;
  /** Dead letters still waiting after the retry. */
  remaining: number;
}

/** Payload of `pipeline.execution.started|completed|failed`. */
export interface PipelineExecutionEvent {
  pipelineId: string;
  name: string;
  run: RunSummary;
  at: string;
}

/** Payload of `pipeline.data.written`: one batch the destination acknowledged. */
export interface PipelineDataWrittenEvent {
  pipelineId: string;
  runId: string;
  destination: string;
  written: number;
  batch: number;
  at: string;
}
