import { AppError, SEARCH, SEARCH_LIMITS } from '@autoweave/contracts';
import { RUNTIME, type ServiceRuntime } from '@autoweave/service-kit';
import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequireAccess } from '../auth/access.decorator.js';
import type { GatewayConfig } from '../config.js';
import type { JsonObject } from './json-body.js';
import { numeric } from './query-values.js';
import { ErrorResponseSchema } from './schemas.js';

const PARAMETERS = new Set(['q', 'limit', 'integrationId']);

class EndpointHitSchema {
  @ApiProperty({ format: 'uuid' })
  integrationId!: string;
  @ApiProperty({ example: 'petstore' })
  integrationName!: string;
  @ApiProperty({ example: 'findPetsByStatus' })
  operationId!: string;
  @ApiProperty({ example: 'GET' })
  method!: string;
  @ApiProperty({ example: '/pet/findByStatus' })
  path!: string;
  @ApiPropertyOptional({ example: 'Finds Pets by status' })
  summary?: string;
  @ApiProperty({ example: 0.61, description: 'Cosine similarity of the query and the operation; higher is nearer' })
  score!: number;
}

/**
 * `GET /api/search`: the operations of every OpenAPI integration that best
 * match a plain-language query, best first; one request to the pipeline
 * worker (`search.endpoints`), which keeps the endpoint index.
 */
@ApiTags('search')
@ApiBadRequestResponse({ description: 'Invalid query (VALIDATION)', type: ErrorResponseSchema })
@Controller('api/search')
export class SearchController {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime<GatewayConfig>) {}

  @Get()
  @RequireAccess('read')
  @ApiOperation({ summary: 'Find the operations across all integrations that best match a plain-language query' })
  @ApiQuery({ name: 'q', required: true, description: `What the operation should do (at most ${SEARCH_LIMITS.maxQueryLength} characters)`, example: 'find pets by status' })
  @ApiQuery({ name: 'limit', required: false, description: `1 to ${SEARCH_LIMITS.maxLimit} (default ${SEARCH_LIMITS.defaultLimit})`, type: Number })
  @ApiQuery({ name: 'integrationId', required: false, description: 'Only this integration\u2019s operations' })
  @ApiOkResponse({ type: [EndpointHitSchema] })
  async search(@Query() query: JsonObject): Promise<unknown> {
    const unknown = Object.keys(query).filter((k) => !PARAMETERS.has(k));
    if (unknown.length > 0) throw new AppError('VALIDATION', `unknown query parameter(s): ${unknown.join(', ')} (allowed: q, limit, integrationId)`, { fields: unknown });
    if (query.q === undefined) throw new AppError('VALIDATION', 'q is required: the words to search for', { field: 'q' });
    const payload: JsonObject = { q: query.q };
    if (query.limit !== undefined) payload.limit = numeric(query.limit);
    if (query.integrationId !== undefined) payload.integrationId = query.integrationId;
    return this.runtime.bus.call<unknown>(SEARCH.endpoints, payload, { timeout: this.runtime.config.requestTimeoutMs });
  }
}
