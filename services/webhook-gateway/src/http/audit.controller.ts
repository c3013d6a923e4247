import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequireAccess } from '../auth/access.decorator.js';
import { AuditLog, type AuditEntry } from '../audit/audit-log.js';
import { DEFAULT_AUDIT_LIMIT, MAX_AUDIT_LIMIT, parseAuditQuery } from '../audit/audit-query.js';
import type { JsonObject } from './json-body.js';
import { ErrorResponseSchema } from './schemas.js';

class AuditEntrySchema {
  @ApiProperty({ example: '2026-01-31T12:00:00.000Z' })
  ts!: string;
  @ApiProperty({ description: 'Id of the API key that made the request (never the key)' })
  keyId!: string;
  @ApiProperty()
  keyName!: string;
  @ApiProperty({ example: 'POST' })
  method!: string;
  @ApiProperty({ example: '/api/integration/:id/disable', description: 'Route pattern, never the URL' })
  route!: string;
  @ApiPropertyOptional()
  integrationId?: string;
  @ApiPropertyOptional()
  pipelineId?: string;
  @ApiProperty({ example: 200, description: 'HTTP status of the answer' })
  status!: number;
  @ApiProperty()
  correlationId!: string;
}

class AuditListSchema {
  @ApiProperty({ type: [AuditEntrySchema] })
  items!: AuditEntrySchema[];
}

/** `GET /api/audit`: who changed what through the API, newest first; admin keys only. */
@ApiTags('audit')
@Controller('api/audit')
export class AuditController {
  constructor(@Inject(AuditLog) private readonly log: AuditLog) {}

  @Get()
  @RequireAccess('admin')
  @ApiOperation({ summary: 'Audit log of mutating API requests (key management included), newest first' })
  @ApiQuery({ name: 'since', required: false, description: 'Only entries at or after this ISO 8601 time' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: `1 to ${MAX_AUDIT_LIMIT} (default ${DEFAULT_AUDIT_LIMIT})` })
  @ApiOkResponse({ type: AuditListSchema })
  @ApiBadRequestResponse({ type: ErrorResponseSchema })
  async list(@Query() query: JsonObject): Promise<{ items: AuditEntry[] }> {
    return { items: await this.log.latest(parseAuditQuery(query)) };
  }
}
