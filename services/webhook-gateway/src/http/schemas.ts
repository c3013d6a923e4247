import { INTEGRATION_STATUSES } from '@autoweave/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DEFAULT_ROTATION_GRACE_SECONDS, MAX_ROTATION_GRACE_SECONDS } from '../auth/rotate-key-request.js';
import { SCOPES } from '../auth/scopes.js';

/*
 * Shapes for the OpenAPI document only. The gateway checks that bodies are
 * JSON objects; their fields are validated by the service that owns them
 * (the hub for integrations, replying VALIDATION), so there are no
 * class-validator rules here.
 */

export class ErrorBodySchema {
  @ApiProperty({ enum: ['VALIDATION', 'UNAUTHORIZED', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'INTERNAL', 'UPSTREAM', 'UNAVAILABLE', 'TIMEOUT'] })
  code!: string;
  @ApiProperty()
  message!: string;
  @ApiPropertyOptional({ description: 'Structured details, e.g. the invalid fields' })
  details?: unknown;
}

export class ErrorResponseSchema {
  @ApiProperty({ type: ErrorBodySchema })
  error!: ErrorBodySchema;
}

export class RegisterIntegrationSchema {
  @ApiProperty({ example: 'petstore' })
  name!: string;
  @ApiProperty({ example: 'openapi', description: 'openapi, webhook, plugin, database, ...' })
  type!: string;
  @ApiPropertyOptional()
  description?: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Type-specific configuration' })
  config!: Record<string, unknown>;
  @ApiPropertyOptional({ type: [String] })
  tags?: string[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  metadata?: Record<string, unknown>;
}

export class UpdateIntegrationSchema {
  @ApiPropertyOptional()
  description?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Secrets sent back as "***" keep their stored value' })
  config?: Record<string, unknown>;
  @ApiPropertyOptional({ type: [String] })
  tags?: string[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  metadata?: Record<string, unknown>;
  @ApiPropertyOptional({ minimum: 1, description: 'Apply only if the integration is still at this revision (or send If-Match)' })
  revision?: number;
}

export class IntegrationSchema {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty()
  type!: string;
  @ApiPropertyOptional()
  description?: string;
  @ApiProperty({ enum: INTEGRATION_STATUSES })
  status!: string;
  @ApiProperty({ enum: ['unknown', 'healthy', 'degraded', 'unhealthy'] })
  health!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Secrets are shown as "***"' })
  config!: Record<string, unknown>;
  @ApiProperty({ type: [String] })
  tags!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
  @ApiProperty({ description: 'KV revision; also sent as the ETag' })
  revision!: number;
}

export class IntegrationListSchema {
  @ApiProperty({ type: [IntegrationSchema] })
  items!: IntegrationSchema[];
  @ApiProperty()
  total!: number;
}

export class CreateApiKeySchema {
  @ApiProperty({ example: 'ci pipeline', maxLength: 100 })
  name!: string;
  @ApiProperty({ enum: SCOPES, isArray: true, description: 'admin implies write, write implies read' })
  scopes!: string[];
}

export class ApiKeySchema {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty({ enum: SCOPES, isArray: true })
  scopes!: string[];
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiPropertyOptional({ format: 'date-time' })
  revokedAt?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'When the current secret was issued by a rotation' })
  rotatedAt?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'The secret a rotation replaced keeps working until then' })
  previousKeyExpiresAt?: string;
}

export class RotateApiKeySchema {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_ROTATION_GRACE_SECONDS,
    default: DEFAULT_ROTATION_GRACE_SECONDS,
    description: 'How long the replaced secret keeps working, in seconds (0: refused at once)',
  })
  graceSeconds?: number;
}

export class CreatedApiKeySchema extends ApiKeySchema {
  @ApiProperty({ description: 'The key itself: shown only in this answer, stored only as a hash', example: 'aw_...' })
  key!: string;
}

export class ApiKeyListSchema {
  @ApiProperty({ type: [ApiKeySchema] })
  items!: ApiKeySchema[];
  @ApiProperty()
  total!: number;
}

export class ExecuteRequestSchema {
  @ApiProperty({ example: 'getPetById', description: 'The operationId (or "GET /pets/{petId}" when the spec has none)' })
  action!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { petId: 1 }, description: 'Parameters by name; the JSON body under "body"' })
  params?: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'Timeout of this call in ms' })
  timeoutMs?: number;
}

export class ExecuteResultSchema {
  @ApiProperty({ example: 200 })
  status!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  headers!: Record<string, string>;
  @ApiPropertyOptional({ description: 'The upstream body (parsed JSON, or text)' })
  body?: unknown;
  @ApiProperty({ example: 12.5 })
  durationMs!: number;
}

export class RegisterServiceSchema {
  @ApiProperty({ example: 'billing' })
  name!: string;
  @ApiPropertyOptional({ example: '1.2.0' })
  version?: string;
  @ApiProperty({ example: 'http://billing:8080' })
  url!: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: '{integratable?: boolean, openAPIEndpoint?: "/openapi.json", healthCheck?: {endpoint?, interval? (ms)}}',
  })
  metadata?: Record<string, unknown>;
}

export class AcceptedSchema {
  @ApiProperty({ example: true })
  accepted!: boolean;
}
