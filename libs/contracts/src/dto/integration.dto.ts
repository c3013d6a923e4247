import {
  ArrayMaxSize,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
} from 'class-validator';
import type { PluginRuntimeStatus } from './plugin.dto.js';

export const INTEGRATION_STATUSES = ['active', 'inactive', 'disabled', 'error'] as const;
export type IntegrationStatus = (typeof INTEGRATION_STATUSES)[number];

export const HEALTH_STATES = ['unknown', 'healthy', 'degraded', 'unhealthy'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

/** An npm scope (`@acme/`) may lead, so a scoped plugin package keeps its own name as its integration's. */
export const INTEGRATION_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[A-Za-z0-9][A-Za-z0-9 ._-]*$/;
const NAME = INTEGRATION_NAME;
const TAG = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** `integration.admin.register` */
export class RegisterIntegrationDto {
  @IsString() @MaxLength(100) @Matches(NAME, { message: 'name must start with a letter or digit (after an optional npm scope such as @acme/) and contain only letters, digits, spaces, dots, dashes and underscores' })
  name!: string;

  /** Checked against the integration type registry by the hub (the set is open to extension). */
  @IsString() @MaxLength(50)
  type!: string;

  @IsOptional() @IsString() @MaxLength(2000)
  description?: string;

  @IsObject()
  config!: Record<string, unknown>;

  @IsOptional() @ArrayMaxSize(50) @MaxLength(50, { each: true }) @Matches(TAG, { each: true, message: 'each of tags must be letters, digits, dots, dashes, colons or underscores' })
  tags?: string[];

  @IsOptional() @IsObject()
  metadata?: Record<string, unknown>;
}

/** `integration.admin.get|delete|enable|disable|test|metrics|logs|sync` */
export class IntegrationIdDto {
  @IsUUID('4', { message: 'id must be an integration id (a UUID)' })
  id!: string;
}

/**
 * `integration.admin.update`. Fields given replace the stored ones. A secret
 * sent back as "***" keeps its stored value, so a read-modify-write works.
 * With `revision`, the update applies only if the integration is still at it.
 */
export class UpdateIntegrationDto extends IntegrationIdDto {
  @IsOptional() @IsInt() @Min(1)
  revision?: number;

  @IsOptional() @IsString() @MaxLength(2000)
  description?: string;

  @IsOptional() @IsObject()
  config?: Record<string, unknown>;

  @IsOptional() @ArrayMaxSize(50) @MaxLength(50, { each: true }) @Matches(TAG, { each: true, message: 'each of tags must be letters, digits, dots, dashes, colons or underscores' })
  tags?: string[];

  @IsOptional() @IsObject()
  metadata?: Record<string, unknown>;
}

/** `integration.admin.list` */
export class ListIntegrationsDto {
  @IsOptional() @IsString() @MaxLength(50)
  type?: string;

  @IsOptional() @IsIn(INTEGRATION_STATUSES)
  status?: IntegrationStatus;

  @IsOptional() @IsString() @MaxLength(50)
  tag?: string;
}

/** An integration as every read returns it: secrets masked as "***". */
export interface IntegrationView {
  id: string;
  name: string;
  type: string;
  description?: string;
  status: IntegrationStatus;
  health: HealthState;
  config: Record<string, unknown>;
  tags: string[];
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  /** The KV revision: send it back with an update to make it conditional. */
  revision: number;
  /** Plugin integrations: the plugin process as the hub replica running it reports it. */
  plugin?: PluginRuntimeStatus;
}

/**
 * The register reply: the view, plus `secret` when the hub generated one (a
 * webhook's signing secret). That reply is the only time a generated secret is
 * shown: the sender or receiver must be given it.
 */
export type RegisteredIntegration = IntegrationView & { secret?: string };

export interface IntegrationList {
  items: IntegrationView[];
  total: number;
}

/** Payload of `integration.created|updated|deleted`. */
export interface IntegrationChangedEvent {
  id: string;
  name: string;
  type: string;
  status: IntegrationStatus;
  revision: number;
  at: string;
}
