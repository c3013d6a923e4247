import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { DELIVERY_OUTCOMES, type DeliveryOutcome } from '../subjects.js';
import { IntegrationIdDto } from './integration.dto.js';

/** `integration.admin.rotate-secret` */
export class RotateSecretDto extends IntegrationIdDto {
  /** How long the old secret keeps signing and verifying (ms), default a day; 0 drops it at once. */
  @IsOptional() @IsInt() @Min(0) @Max(30 * 24 * 60 * 60 * 1000)
  graceMs?: number;
}

/** The only reply that shows a secret: the new one, once. */
export interface RotateSecretResult {
  id: string;
  secret: string;
  /** When the previous secret stops being accepted and used; absent when the grace was 0. */
  previousSecretExpiresAt?: string;
}

/** `webhook.admin.deliveries`: the latest attempts first. */
export class ListDeliveriesDto extends IntegrationIdDto {
  @IsOptional() @IsIn(DELIVERY_OUTCOMES)
  status?: DeliveryOutcome;

  @IsOptional() @IsString() @MaxLength(100) @Matches(/^msg_[A-Za-z0-9_-]+$/, { message: 'msgId must look like msg_...' })
  msgId?: string;

  @IsOptional() @IsInt() @Min(1) @Max(1000)
  limit?: number;
}

/** `webhook.admin.replay`: deliver one message again, now, whatever happened to it before. */
export class ReplayDeliveryDto extends IntegrationIdDto {
  @IsString() @MaxLength(100) @Matches(/^msg_[A-Za-z0-9_-]+$/, { message: 'msgId must look like msg_...' })
  msgId!: string;
}

/** `webhook.admin.replay-since`: deliver again every matching event published since a time. */
export class ReplaySinceDto extends IntegrationIdDto {
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date-time' })
  since!: string;
}

export interface ReplaySinceResult {
  integrationId: string;
  /** Events queued for redelivery (delivered in the background, in order). */
  queued: number;
}

/** One outbound delivery attempt, as recorded in DELIVERIES. Never holds secrets or request headers. */
export interface DeliveryAttempt {
  /** The webhook-id: stable for one event and endpoint across retries and replays. */
  msgId: string;
  integrationId: string;
  /** The event topic (without `events.`). */
  topic: string;
  /** 1 for the first attempt. */
  attempt: number;
  outcome: DeliveryOutcome;
  trigger: 'delivery' | 'replay';
  /** HTTP status, when an answer came. */
  status?: number;
  latencyMs: number;
  /** The first bytes of the answer body. */
  responseExcerpt?: string;
  error?: string;
  /** When the next attempt is due, after a failed one. */
  nextAttemptAt?: string;
  at: string;
}

export interface DeliveryList {
  integrationId: string;
  items: DeliveryAttempt[];
}
