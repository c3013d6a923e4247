import { IsIn, IsInt, IsObject, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';

export const DISCOVERY_SOURCES = ['service', 'nats-micro', 'openapi-probe', 'manifest', 'plugin'] as const;
export type DiscoverySource = (typeof DISCOVERY_SOURCES)[number];

/**
 * Payload of `integration.module.discovered`: discovery found a module. The hub
 * turns it into an integration, idempotently: the same (name, source) is one
 * integration; a changed `specHash` updates it; `present: false` marks it inactive.
 */
export interface DiscoveredModule {
  name: string;
  source: DiscoverySource;
  /** Where it was found: a service URL, a micro service id, a file path, a plugin folder. */
  sourceRef: string;
  /** The integration type and config it becomes (an OpenAPI spec is inline, already fetched). */
  type: 'openapi' | 'webhook' | 'plugin' | 'database';
  config: Record<string, unknown>;
  /** sha256 of the spec/manifest content: unchanged content changes nothing. */
  contentHash: string;
  present: boolean;
  capabilities?: string[];
  subscriptions?: string[];
  metadata?: Record<string, unknown>;
  /** Set when discovery could not use what it found (bad spec, unreachable): the hub publishes integration.failed. */
  error?: string;
}

/** Payload of `integration.failed`. */
export interface IntegrationFailedEvent {
  name: string;
  source: string;
  sourceRef: string;
  reason: string;
  at: string;
}

export class HealthCheckHintDto {
  @IsOptional() @IsString() @MaxLength(300)
  endpoint?: string;

  @IsOptional() @IsInt() @Min(1000) @Max(86_400_000)
  interval?: number;
}

export class ServiceMetadataDto {
  @IsOptional()
  integratable?: boolean;

  @IsOptional() @IsString() @MaxLength(300)
  openAPIEndpoint?: string;

  @IsOptional() @ValidateNested() @Type(() => HealthCheckHintDto)
  healthCheck?: HealthCheckHintDto;
}

/** `service.registered` (also `POST /api/services/register`) */
export class ServiceRegisteredDto {
  @IsString() @MaxLength(100) @Matches(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, { message: 'name must be letters, digits, spaces, dots, dashes or underscores' })
  name!: string;

  @IsOptional() @IsString() @MaxLength(50)
  version?: string;

  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  url!: string;

  @IsOptional() @IsObject() @ValidateNested() @Type(() => ServiceMetadataDto)
  metadata?: ServiceMetadataDto;
}

/** `service.deregistered` */
export class ServiceDeregisteredDto {
  @IsString() @MaxLength(100)
  name!: string;
}

/** `discovery.scan`: run every enabled channel now; `channels` limits it. */
export class DiscoveryScanDto {
  @IsOptional() @IsIn(DISCOVERY_SOURCES, { each: true })
  channels?: DiscoverySource[];
}

export interface DiscoveryScanResult {
  found: Array<Pick<DiscoveredModule, 'name' | 'source' | 'sourceRef' | 'type' | 'present' | 'error'>>;
  durationMs: number;
}
