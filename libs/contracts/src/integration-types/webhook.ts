import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { BreakerDto, RateLimitDto, RetryPolicyDto } from './common.js';
import type { IntegrationTypeSpec } from './spec.js';

/** Pattern of a subscribed event topic: dot-separated tokens, NATS wildcards allowed. */
export const EVENT_PATTERN = /^(?:[A-Za-z0-9_-]+|\*)(?:\.(?:[A-Za-z0-9_-]+|\*))*(?:\.>)?$|^>$/;

export const WHSEC = /^whsec_[A-Za-z0-9+/]+={0,2}$/;
const WHSEC_MESSAGE = 'must be a Standard Webhooks secret (whsec_ followed by base64)';

/**
 * Svix's schedule: after the first attempt, retry after 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h and 10 h (8 attempts in all), each delay with jitter.
 */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 15_000;
/** How long the secret replaced by a rotation keeps signing and verifying, unless the rotation says otherwise. */
export const DEFAULT_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;

/** Retries of an outbound delivery: an explicit schedule, or exponential backoff from the base policy. */
export class WebhookRetryDto extends RetryPolicyDto {
  /** Delays (ms) before the 2nd, 3rd, ... attempt; its length + 1 is the number of attempts. */
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(49)
  @IsInt({ each: true }) @Min(0, { each: true }) @Max(86_400_000, { each: true })
  scheduleMs?: number[];
}

/** A secret replaced by a rotation, still valid until `expiresAt`. Written by the hub, not by users. */
export class PreviousSecretDto {
  @Matches(WHSEC, { message: `secret ${WHSEC_MESSAGE}` })
  secret!: string;

  @IsISO8601({ strict: true })
  expiresAt!: string;
}

/**
 * A Standard Webhooks endpoint, both ways. Outbound: events whose topic
 * matches one of `events` (NATS wildcard rules) are delivered to `url`,
 * signed with `secret`. Inbound: senders POST to `/webhooks/<id>` signed with
 * the same secret. `url` is absent for an inbound-only integration.
 */
export class WebhookConfigDto {
  /** Required with `events`. */
  @ValidateIf((o: WebhookConfigDto) => o.url !== undefined || o.events !== undefined)
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true }, { message: 'url must be an http(s) URL (required when events is set)' })
  url?: string;

  /** Required with `url`. */
  @ValidateIf((o: WebhookConfigDto) => o.url !== undefined || o.events !== undefined)
  @IsArray({ message: 'events must be a list of topic patterns (required when url is set)' }) @ArrayMinSize(1) @ArrayMaxSize(100)
  @Matches(EVENT_PATTERN, { each: true, message: 'each of events must be a topic pattern such as user.* or order.>' })
  events?: string[];

  /** Standard Webhooks secret; generated when absent (and shown once, in the register reply). */
  @IsOptional() @Matches(WHSEC, { message: `secret ${WHSEC_MESSAGE}` })
  secret?: string;

  @IsOptional() @IsArray() @ArrayMaxSize(5) @ValidateNested({ each: true }) @Type(() => PreviousSecretDto)
  previousSecrets?: PreviousSecretDto[];

  @IsOptional() @IsObject()
  headers?: Record<string, string>;

  @IsOptional() @ValidateNested() @Type(() => WebhookRetryDto)
  retry?: WebhookRetryDto;

  /** Deliver one at a time, in publish order (a failing message holds back the ones after it). */
  @IsOptional() @IsBoolean()
  ordered?: boolean;

  /** Deadline of one POST, default 15 s. */
  @IsOptional() @IsInt() @Min(100) @Max(120_000)
  timeoutMs?: number;

  @IsOptional() @ValidateNested() @Type(() => RateLimitDto)
  rateLimit?: RateLimitDto;

  @IsOptional() @ValidateNested() @Type(() => BreakerDto)
  breaker?: BreakerDto;

  @IsOptional() @IsString()
  description?: string;
}

export const webhookIntegration: IntegrationTypeSpec<WebhookConfigDto> = {
  type: 'webhook',
  description: 'An outbound webhook receiver, signed per Standard Webhooks',
  configDto: WebhookConfigDto,
  secretFields: ['secret', 'previousSecrets', 'headers.*'],
};
