import { IsIn, IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import { IntegrationIdDto } from './integration.dto.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `integration.admin.logs` */
export class IntegrationLogsDto extends IntegrationIdDto {
  /** ISO 8601 time; default: the last hour. */
  @IsOptional() @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date-time' })
  since?: string;

  /** Minimum level. */
  @IsOptional() @IsIn(LOG_LEVELS)
  level?: LogLevel;

  @IsOptional() @IsInt() @Min(1) @Max(1000)
  limit?: number;
}

/** `integration.admin.metrics` */
export class IntegrationMetricsDto extends IntegrationIdDto {
  /** Window in seconds, default 900 (15 minutes), at most a day. */
  @IsOptional() @IsInt() @Min(1) @Max(86_400)
  windowSeconds?: number;
}

/** One call (or health probe) of an integration, as written to INTEGRATION_LOGS. Never holds secrets or parameter values. */
export interface IntegrationLogEntry {
  ts: string;
  level: LogLevel;
  integrationId: string;
  kind: 'request' | 'health';
  action: string;
  /** `ok` or the error code. */
  outcome: string;
  status?: number;
  durationMs: number;
  message?: string;
  correlationId?: string;
}

export interface IntegrationMetrics {
  integrationId: string;
  windowSeconds: number;
  requests: number;
  errors: number;
  errorRate: number;
  byOutcome: Record<string, number>;
  latencyMs: { p50: number; p95: number; p99: number; max: number } | null;
}

export interface HealthProbeResult {
  integrationId: string;
  healthy: boolean;
  status?: number;
  latencyMs: number;
  target: string;
  error?: string;
  checkedAt: string;
}

/** Payload of `integration.health.changed`. */
export interface HealthChangedEvent {
  id: string;
  name: string;
  from: string;
  to: string;
  probe: HealthProbeResult;
}

/** Payload of `integration.<id>.request` and `integration.<id>.error`. */
export interface IntegrationCallEvent {
  integrationId: string;
  action: string;
  outcome: string;
  status?: number;
  durationMs: number;
  at: string;
  error?: { code: string; message: string };
  correlationId?: string;
}
