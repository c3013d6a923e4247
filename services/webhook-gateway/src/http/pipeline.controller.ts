import { AppError, PIPELINE_ADMIN, PIPELINE_SCHEDULE_TYPES } from '@autoweave/contracts';
import { RUNTIME, type ServiceRuntime } from '@autoweave/service-kit';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
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
import type { GatewayConfig } from '../config.js';
import { isJsonObject, JsonBody, type JsonObject } from './json-body.js';
import { numeric } from './query-values.js';
import { ErrorResponseSchema } from './schemas.js';

/** Retrying dead letters writes to the destination: allow it more than an admin round trip. */
const RETRY_TIMEOUT_MS = 60_000;

class PipelineStageSchema {
  @ApiProperty({ example: 'postgres', description: 'A registered adapter (source, destination) or processor type' })
  type!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: "The component's config; secret fields (connectionString, password, apiKey, token...) are shown as \"***\"" })
  config?: Record<string, unknown>;
}

class PipelineScheduleSchema {
  @ApiProperty({ enum: PIPELINE_SCHEDULE_TYPES })
  type!: string;
  @ApiPropertyOptional({ description: 'interval: milliseconds between runs' })
  everyMs?: number;
  @ApiPropertyOptional({ example: '0 */15 * * * *', description: 'cron: 5 or 6 fields' })
  cron?: string;
  @ApiPropertyOptional({ example: 'UTC' })
  timezone?: string;
  @ApiPropertyOptional({ example: 'order.*', description: 'event: a topic pattern under events.>' })
  event?: string;
}

class RegisterPipelineSchema {
  @ApiProperty({ example: 'orders to warehouse' })
  name!: string;
  @ApiPropertyOptional()
  description?: string;
  @ApiProperty({ type: PipelineStageSchema })
  source!: PipelineStageSchema;
  @ApiPropertyOptional({ type: [PipelineStageSchema] })
  processors?: PipelineStageSchema[];
  @ApiProperty({ type: PipelineStageSchema })
  destination!: PipelineStageSchema;
  @ApiPropertyOptional({ default: 1000, minimum: 1, maximum: 10000 })
  batchSize?: number;
  @ApiPropertyOptional({ type: PipelineScheduleSchema })
  schedule?: PipelineScheduleSchema;
  @ApiPropertyOptional({ default: true })
  enabled?: boolean;
}

class RunStartedSchema {
  @ApiProperty({ format: 'uuid' })
  runId!: string;
}

class RetryDeadLettersSchema {
  @ApiPropertyOptional({ description: 'At most this many (default 1000)' })
  limit?: number;
  @ApiPropertyOptional({ type: [Number], description: 'Only these entries (their seq)' })
  seqs?: number[];
}

const ID = ApiParam({ name: 'id', description: 'Pipeline id (UUID)' });

/** `/api/pipeline/*`: each route is one request to the pipeline worker on a PIPELINE_ADMIN subject. */
@ApiTags('pipelines')
@ApiBadRequestResponse({ description: 'Invalid input (VALIDATION)', type: ErrorResponseSchema })
@Controller('api/pipeline')
export class PipelineController {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime<GatewayConfig>) {}

  @Post('register')
  @HttpCode(201)
  @RequireAccess('write')
  @ApiOperation({ summary: 'Register a pipeline: source -> processors -> destination, batch size and schedule' })
  @ApiBody({ type: RegisterPipelineSchema })
  @ApiCreatedResponse({ description: 'The pipeline (secrets masked)' })
  @ApiConflictResponse({ description: 'A pipeline with this name exists', type: ErrorResponseSchema })
  register(@JsonBody() body: JsonObject): Promise<unknown> {
    return this.call(PIPELINE_ADMIN.register, body);
  }

  @Get()
  @RequireAccess('read')
  @ApiOperation({ summary: 'List pipelines' })
  @ApiOkResponse({ description: '{items, total}' })
  list(): Promise<unknown> {
    return this.call(PIPELINE_ADMIN.list, {});
  }

  @Get('metrics')
  @RequireAccess('read')
  @ApiOperation({ summary: 'Run and item totals per pipeline, across every worker replica' })
  @ApiOkResponse({ description: '{pipelines: [{id, name, state, totals, meanBatchSeconds, lastRun}], totals}' })
  metrics(): Promise<unknown> {
    return this.call(PIPELINE_ADMIN.metrics, {});
  }

  @Get('components')
  @RequireAccess('read')
  @ApiOperation({ summary: 'The adapters (sources, destinations) and processors a pipeline can use, each with its config JSON Schema' })
  @ApiOkResponse({ description: '{adapters: [{type, description, roles, configSchema}], processors: [{type, description, configSchema}]}' })
  components(): Promise<unknown> {
    return this.call(PIPELINE_ADMIN.components, {});
  }

  @Get(':id')
  @RequireAccess('read')
  @ApiOperation({ summary: 'Get a pipeline (secrets masked)' })
  @ID
  @ApiOkResponse({ description: 'The pipeline' })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  get(@Param('id') id: string): Promise<unknown> {
    return this.call(PIPELINE_ADMIN.get, { id });
  }

  @Get(':id/status')
  @RequireAccess('read')
  @ApiOperation({ summary: 'State, progress (read, written, failed, lag), current and last run, last error, checkpoint' })
  @ID
  @ApiOkResponse({ description: 'The status' })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  status(@Param('id') id: string): Promise<unknown> {
    return this.call(PIPELINE_ADMIN.status, { id });
  }

  @Post(':id/execute')
  @HttpCode(202)
  @RequireAccess('write')
  @ApiOperation({ summary: 'Start a run now; answers with its id (the run goes on in the background)' })
  @ID
  @ApiAcceptedResponse({ type: RunStartedSchema })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  @ApiConflictResponse({ description: 'The pipeline is running or paused', type: ErrorResponseSchema })
  execute(@Param('id') id: string): Promise<unknown> {
    return this.call(PIPELINE_ADMIN.execute, { id });
  }

  @Post(':id/pause')
  @HttpCode(200)
  @RequireAccess('write')
  @ApiOperation({ summary: 'Pause: a running run stops after its current batch; schedules stop firing' })
  @ID
  @ApiOkResponse({ description: 'The pipeline' })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  pause(@Param('id') id: string): Promise<unknown> {
    return this.call(PIPELINE_ADMIN.pause, { id });
  }

  @Post(':id/resume')
  @HttpCode(200)
  @RequireAccess('write')
  @ApiOperation({ summary: 'Resume: schedules fire again; a run the pause cut short continues from its checkpoint' })
  @ID
  @ApiOkResponse({ description: 'The pipeline' })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  resume(@Param('id') id: string): Promise<unknown> {
    return this.call(PIPELINE_ADMIN.resume, { id });
  }

  @Delete(':id')
  @RequireAccess('write')
  @ApiOperation({ summary: 'Delete a pipeline, its checkpoint and its dead letters' })
  @ID
  @ApiOkResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  delete(@Param('id') id: string): Promise<unknown> {
    return this.call(PIPELINE_ADMIN.delete, { id });
  }

  @Get(':id/dead-letters')
  @RequireAccess('read')
  @ApiOperation({ summary: 'Items that failed processing, with the error, oldest first' })
  @ID
  @ApiQuery({ name: 'limit', required: false, description: '1 to 1000 (default 100)', type: Number })
  @ApiOkResponse({ description: '{pipelineId, items: [{seq, runId, stage, processor, error, item, attempts, at}], total}' })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  deadLetters(@Param('id') id: string, @Query() query: JsonObject): Promise<unknown> {
    const limit = numeric(query.limit);
    return this.call(PIPELINE_ADMIN.deadLetters, { id, ...(limit === undefined ? {} : { limit }) });
  }

  @Post(':id/dead-letters/retry')
  @HttpCode(200)
  @RequireAccess('write')
  @ApiOperation({ summary: 'Process dead letters again with the current definition; those that pass leave the queue' })
  @ID
  @ApiBody({ type: RetryDeadLettersSchema, required: false })
  @ApiOkResponse({ description: '{pipelineId, retried, succeeded, failed, remaining}' })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  @ApiConflictResponse({ description: 'The pipeline is running', type: ErrorResponseSchema })
  retry(@Param('id') id: string, @Body() body: unknown): Promise<unknown> {
    if (body !== undefined && !isJsonObject(body)) throw new AppError('VALIDATION', 'request body must be a JSON object');
    return this.call(PIPELINE_ADMIN.retryDeadLetters, { ...(body ?? {}), id }, Math.max(this.runtime.config.requestTimeoutMs, RETRY_TIMEOUT_MS));
  }

  private call(subject: string, payload: JsonObject, timeout = this.runtime.config.requestTimeoutMs): Promise<unknown> {
    return this.runtime.bus.call<unknown>(subject, payload, { timeout });
  }
}
