import { AppError, isValidTopic } from '@autoweave/contracts';
import { RUNTIME, type ServiceRuntime } from '@autoweave/service-kit';
import { Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBody, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { RequireAccess } from '../auth/access.decorator.js';
import { JsonBody, type JsonObject } from './json-body.js';
import { ErrorResponseSchema } from './schemas.js';

const MSG_ID = /^[\x21-\x7e]{1,200}$/;
const FIELDS = new Set(['topic', 'data', 'msgId']);

class PublishEventSchema {
  @ApiProperty({ example: 'user.created', description: 'Dot-separated tokens of letters, digits, _ and -; no wildcards' })
  topic!: string;
  @ApiPropertyOptional({ description: 'Any JSON value: the event data webhooks receive as "data"', example: { id: 7, email: 'a@example.com' } })
  data?: unknown;
  @ApiPropertyOptional({ description: 'Idempotency key (Nats-Msg-Id): the same msgId within the duplicate window is stored once', example: 'user-7-created' })
  msgId?: string;
}

class PublishReceiptSchema {
  @ApiProperty({ example: 'EVENTS' })
  stream!: string;
  @ApiProperty({ example: 42, description: 'EVENTS sequence; webhooks carry it as webhook-id msg_<seq>' })
  seq!: number;
  @ApiProperty({ description: 'True when the msgId was seen before and nothing new was stored' })
  duplicate!: boolean;
}

/** `POST /api/events/publish`: the seed's EventBus.publish over HTTP; the event is stored in EVENTS before the answer. */
@ApiTags('events')
@Controller('api/events')
export class EventsController {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  @Post('publish')
  @HttpCode(202)
  @RequireAccess('write')
  @ApiOperation({ summary: 'Publish an event: stored in EVENTS on events.<topic>; subscribed webhooks receive it' })
  @ApiBody({ type: PublishEventSchema })
  @ApiAcceptedResponse({ type: PublishReceiptSchema })
  @ApiBadRequestResponse({ description: 'Invalid topic, msgId or field (VALIDATION)', type: ErrorResponseSchema })
  publish(@JsonBody() body: JsonObject): Promise<unknown> {
    const { topic, data, msgId } = publishRequest(body);
    return this.runtime.events.publish(topic, data, msgId === undefined ? {} : { msgId });
  }
}

function publishRequest(body: JsonObject): { topic: string; data: unknown; msgId?: string } {
  const unknown = Object.keys(body).filter((k) => !FIELDS.has(k));
  if (unknown.length > 0) throw new AppError('VALIDATION', `unknown field(s): ${unknown.join(', ')}`, { fields: unknown });
  if (!isValidTopic(body.topic)) {
    throw new AppError('VALIDATION', 'topic must be dot-separated tokens of letters, digits, _ and - (no wildcards), at most 200 characters', { field: 'topic' });
  }
  if (body.msgId !== undefined && (typeof body.msgId !== 'string' || !MSG_ID.test(body.msgId))) {
    throw new AppError('VALIDATION', 'msgId must be 1 to 200 printable characters without spaces', { field: 'msgId' });
  }
  return { topic: body.topic, data: body.data, msgId: body.msgId as string | undefined };
}
