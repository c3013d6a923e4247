import { DELIVERY_OUTCOMES, WEBHOOK_ADMIN } from '@autoweave/contracts';
import { RUNTIME, type ServiceRuntime } from '@autoweave/service-kit';
import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { RequireAccess } from '../auth/access.decorator.js';
import type { JsonObject } from './json-body.js';
import { defined, numeric } from './query-values.js';
import { ErrorResponseSchema } from './schemas.js';

/** A replay waits for one POST: up to the endpoint's timeout (at most 120 s) and its rate limit. */
const REPLAY_TIMEOUT_MS = 130_000;

class DeliveryAttemptSchema {
  @ApiProperty({ example: 'msg_42', description: 'The webhook-id: msg_<EVENTS sequence>, the same for every attempt and replay of the event' })
  msgId!: string;
  @ApiProperty({ format: 'uuid' })
  integrationId!: string;
  @ApiProperty({ example: 'user.created' })
  topic!: string;
  @ApiProperty({ example: 1, description: 'JetStream delivery count of the event (1 for the first attempt)' })
  attempt!: number;
  @ApiProperty({ enum: DELIVERY_OUTCOMES, description: 'dead: the last attempt failed and the event went to WEBHOOK_DLQ' })
  outcome!: string;
  @ApiProperty({ enum: ['delivery', 'replay'] })
  trigger!: string;
  @ApiPropertyOptional({ example: 200, description: 'The receiver answer status, when it answered' })
  status?: number;
  @ApiProperty({ example: 12.5 })
  latencyMs!: number;
  @ApiPropertyOptional({ description: 'The first 256 bytes of the answer' })
  responseExcerpt?: string;
  @ApiPropertyOptional({ example: 'receiver answered 503' })
  error?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'When the next attempt is due, after a failed one' })
  nextAttemptAt?: string;
  @ApiProperty({ format: 'date-time' })
  at!: string;
}

class DeliveryListSchema {
  @ApiProperty({ format: 'uuid' })
  integrationId!: string;
  @ApiProperty({ type: [DeliveryAttemptSchema], description: 'Latest first' })
  items!: DeliveryAttemptSchema[];
}

class ReplaySinceResultSchema {
  @ApiProperty({ format: 'uuid' })
  integrationId!: string;
  @ApiProperty({ example: 12, description: 'Events queued; they are delivered again in the background, in order' })
  queued!: number;
}

const ID = ApiParam({ name: 'id', description: 'Integration id (UUID) of a webhook integration' });

/**
 * `/api/integration/:id/deliveries*` and `/api/integration/:id/replay`: the
 * outbound deliveries of a webhook integration, as requests on the
 * `webhook.admin.*` verbs (answered by any gateway replica).
 */
@ApiTags('webhooks')
@ApiBadRequestResponse({ description: 'Invalid input (VALIDATION)', type: ErrorResponseSchema })
@Controller('api/integration')
export class DeliveriesController {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  @Get(':id/deliveries')
  @RequireAccess('read')
  @ApiOperation({ summary: 'Delivery attempts of a webhook integration, latest first' })
  @ID
  @ApiQuery({ name: 'status', required: false, enum: DELIVERY_OUTCOMES, type: String })
  @ApiQuery({ name: 'msgId', required: false, description: 'Only the attempts of this webhook-id (msg_...)', type: String })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 1000 (default 50)', type: Number })
  @ApiOkResponse({ type: DeliveryListSchema })
  @ApiNotFoundResponse({ description: 'No such webhook integration', type: ErrorResponseSchema })
  deliveries(@Param('id') id: string, @Query() query: JsonObject): Promise<unknown> {
    return this.runtime.bus.call(WEBHOOK_ADMIN.deliveries, { id, ...defined({ status: query.status, msgId: query.msgId, limit: numeric(query.limit) }) });
  }

  @Post(':id/deliveries/:msgId/replay')
  @HttpCode(200)
  @RequireAccess('write')
  @ApiOperation({ summary: 'Deliver one event again now (one attempt, recorded with trigger replay); answers with the attempt' })
  @ID
  @ApiParam({ name: 'msgId', description: 'The webhook-id, msg_<EVENTS sequence>' })
  @ApiOkResponse({ type: DeliveryAttemptSchema, description: 'The attempt, whether the receiver accepted it (outcome succeeded) or not (failed)' })
  @ApiNotFoundResponse({ description: 'No such integration, or no such event for it', type: ErrorResponseSchema })
  @ApiConflictResponse({ description: 'The integration is disabled', type: ErrorResponseSchema })
  replay(@Param('id') id: string, @Param('msgId') msgId: string): Promise<unknown> {
    return this.runtime.bus.call(WEBHOOK_ADMIN.replay, { id, msgId }, { timeout: Math.max(REPLAY_TIMEOUT_MS, this.runtime.config.requestTimeoutMs) });
  }

  @Post(':id/replay')
  @HttpCode(202)
  @RequireAccess('write')
  @ApiOperation({ summary: 'Deliver again every matching event since a time, in order, in the background (one attempt each)' })
  @ID
  @ApiQuery({ name: 'since', required: true, description: 'ISO 8601 date-time', type: String })
  @ApiAcceptedResponse({ type: ReplaySinceResultSchema })
  @ApiNotFoundResponse({ description: 'No such webhook integration', type: ErrorResponseSchema })
  @ApiConflictResponse({ description: 'The integration is disabled', type: ErrorResponseSchema })
  replaySince(@Param('id') id: string, @Query() query: JsonObject): Promise<unknown> {
    return this.runtime.bus.call(WEBHOOK_ADMIN.replaySince, { id, ...defined({ since: query.since }) });
  }
}
