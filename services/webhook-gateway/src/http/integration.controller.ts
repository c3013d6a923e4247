import { INTEGRATION_STATUSES } from '@autoweave/contracts';
import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiServiceUnavailableResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequireAccess } from '../auth/access.decorator.js';
import { etagOf } from '../integrations/if-match.js';
import { IntegrationAdmin } from '../integrations/integration-admin.js';
import { JsonBody, type JsonObject } from './json-body.js';
import {
  ErrorResponseSchema,
  ExecuteRequestSchema,
  ExecuteResultSchema,
  IntegrationListSchema,
  IntegrationSchema,
  RegisterIntegrationSchema,
  UpdateIntegrationSchema,
} from './schemas.js';

const ID = ApiParam({ name: 'id', description: 'Integration id (UUID)' });

/** `POST /api/integration/install` body, for the OpenAPI document (the hub validates it). */
class InstallPluginSchema {
  @ApiPropertyOptional({ example: 'enricher', description: 'The integration name; default: the package name' })
  name?: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { source: 'npm', name: '@acme/enricher', version: '1.2.3', pluginConfig: { level: 2 }, subscriptions: ['orders.*'] },
    description:
      'A plugin config: source npm (name, exact version), url (url of a tarball and its sha512 integrity) or local (path under the allowed root); ' +
      'pluginConfig and secrets (sealed, masked on reads) are given to initialize(); subscriptions are the event patterns the plugin may subscribe to',
  })
  config!: Record<string, unknown>;
  @ApiPropertyOptional()
  description?: string;
  @ApiPropertyOptional({ type: [String] })
  tags?: string[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  metadata?: Record<string, unknown>;
}

/** `/api/integration/*`: each route is one request to the hub (see IntegrationAdmin). */
@ApiTags('integrations')
@ApiBadRequestResponse({ description: 'Invalid input (VALIDATION)', type: ErrorResponseSchema })
@Controller('api/integration')
export class IntegrationController {
  constructor(@Inject(IntegrationAdmin) private readonly admin: IntegrationAdmin) {}

  @Post('register')
  @HttpCode(201)
  @RequireAccess('write')
  @ApiOperation({ summary: 'Register an integration' })
  @ApiBody({ type: RegisterIntegrationSchema })
  @ApiCreatedResponse({ type: IntegrationSchema })
  @ApiConflictResponse({ description: 'An integration with this name exists', type: ErrorResponseSchema })
  register(@JsonBody() body: JsonObject): Promise<unknown> {
    return this.admin.register(body);
  }

  @Post('install')
  @HttpCode(201)
  @RequireAccess('write')
  @ApiOperation({
    summary: 'Install a plugin package and register it as a plugin integration',
    description: 'The hub installs the package (npm with install scripts off, a url tarball checked against its integrity, or a local folder under the allowed root), pins version and integrity, then runs it in its own process. A bad source is 400 with the reason; nothing is left installed.',
  })
  @ApiBody({ type: InstallPluginSchema })
  @ApiCreatedResponse({ type: IntegrationSchema })
  @ApiConflictResponse({ description: 'An integration with this name (or topic namespace) exists', type: ErrorResponseSchema })
  @ApiServiceUnavailableResponse({ description: 'The hub does not run plugins (AUTOWEAVE_PLUGINS_DIR unset) or npm/the registry is unreachable', type: ErrorResponseSchema })
  install(@JsonBody() body: JsonObject): Promise<unknown> {
    return this.admin.install(body);
  }

  @Get('list')
  @RequireAccess('read')
  @ApiOperation({ summary: 'List integrations, optionally filtered' })
  @ApiQuery({ name: 'type', required: false, type: String })
  @ApiQuery({ name: 'status', required: false, enum: INTEGRATION_STATUSES, type: String })
  @ApiQuery({ name: 'tag', required: false, type: String })
  @ApiOkResponse({ type: IntegrationListSchema })
  list(@Query() query: JsonObject): Promise<unknown> {
    return this.admin.list(query);
  }

  @Get(':id')
  @RequireAccess('read')
  @ApiOperation({ summary: 'Get an integration (secrets masked); its revision is the ETag' })
  @ID
  @ApiOkResponse({ type: IntegrationSchema })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  async get(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    return withEtag(reply, await this.admin.get(id));
  }

  @Put(':id')
  @RequireAccess('write')
  @ApiOperation({ summary: 'Update an integration; conditional with a revision in the body or If-Match' })
  @ID
  @ApiHeader({ name: 'If-Match', required: false, description: 'The revision (ETag) the update applies to' })
  @ApiBody({ type: UpdateIntegrationSchema })
  @ApiOkResponse({ type: IntegrationSchema })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  @ApiConflictResponse({ description: 'The integration is no longer at that revision', type: ErrorResponseSchema })
  async update(
    @Param('id') id: string,
    @JsonBody() body: JsonObject,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return withEtag(reply, await this.admin.update(id, body, ifMatch));
  }

  @Delete(':id')
  @RequireAccess('write')
  @ApiOperation({ summary: 'Delete an integration' })
  @ID
  @ApiOkResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  delete(@Param('id') id: string): Promise<unknown> {
    return this.admin.delete(id);
  }

  @Post(':id/enable')
  @HttpCode(200)
  @RequireAccess('write')
  @ApiOperation({ summary: 'Enable an integration' })
  @ID
  @ApiOkResponse({ type: IntegrationSchema })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  enable(@Param('id') id: string): Promise<unknown> {
    return this.admin.enable(id);
  }

  @Post(':id/disable')
  @HttpCode(200)
  @RequireAccess('write')
  @ApiOperation({ summary: 'Disable an integration' })
  @ID
  @ApiOkResponse({ type: IntegrationSchema })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  disable(@Param('id') id: string): Promise<unknown> {
    return this.admin.disable(id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @RequireAccess('write')
  @ApiOperation({
    summary: 'Rotate the signing secret of a webhook integration',
    description: 'Body {graceMs?} (default a day). The reply holds the new secret: the only time it is shown. The old secret keeps signing and verifying until previousSecretExpiresAt.',
  })
  @ID
  @ApiOkResponse({ description: '{id, secret, previousSecretExpiresAt?}' })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  rotateSecret(@Param('id') id: string, @Body() body: JsonObject | undefined): Promise<unknown> {
    return this.admin.rotateSecret(id, body ?? {});
  }
}

/** `/api/integration/:id/execute|test|metrics|logs`: calling an integration and seeing how it does. */
@ApiTags('integrations')
@ApiBadRequestResponse({ description: 'Invalid input (VALIDATION)', type: ErrorResponseSchema })
@Controller('api/integration')
export class IntegrationCallController {
  constructor(@Inject(IntegrationAdmin) private readonly admin: IntegrationAdmin) {}

  @Post(':id/execute')
  @HttpCode(200)
  @RequireAccess('write')
  @ApiOperation({ summary: 'Call an integration: an OpenAPI operation {action: operationId, params, timeoutMs}, or a plugin {action: "processData", params}' })
  @ID
  @ApiBody({ type: ExecuteRequestSchema })
  @ApiOkResponse({ type: ExecuteResultSchema })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  execute(@Param('id') id: string, @JsonBody() body: JsonObject): Promise<unknown> {
    return this.admin.execute(id, body);
  }

  @Post(':id/test')
  @HttpCode(200)
  @RequireAccess('write')
  @ApiOperation({ summary: 'Probe the integration now (health operation, else its base URL)' })
  @ID
  @ApiOkResponse({ description: 'The probe result: healthy, status, latencyMs, target' })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  test(@Param('id') id: string): Promise<unknown> {
    return this.admin.test(id);
  }

  @Post(':id/sync')
  @HttpCode(200)
  @RequireAccess('write')
  @ApiOperation({
    summary: 'Sync a database integration now',
    description: 'Runs the sync pipeline of every synced table now (or right after the run in progress), after looking at the database again for new tables and columns. Answered by the pipeline worker. The reply lists each table with its pipeline and run, and the tables that cannot be synced with the reason.',
  })
  @ID
  @ApiOkResponse({ description: '{integrationId, destination, tables: [{table, pipelineId, state, runId?}], skipped: [{table, reason}]}' })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  @ApiConflictResponse({ description: 'Sync is not enabled, or the integration is disabled', type: ErrorResponseSchema })
  sync(@Param('id') id: string): Promise<unknown> {
    return this.admin.sync(id);
  }

  @Get(':id/metrics')
  @RequireAccess('read')
  @ApiOperation({ summary: 'Counts, error rate and latency percentiles of the calls in a window' })
  @ID
  @ApiQuery({ name: 'window', required: false, description: 'Window in seconds (default 900)', type: Number })
  @ApiOkResponse({ description: 'requests, errors, errorRate, byOutcome, latencyMs {p50, p95, p99, max}' })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  metrics(@Param('id') id: string, @Query() query: JsonObject): Promise<unknown> {
    return this.admin.metrics(id, query);
  }

  @Get(':id/manifests')
  @RequireAccess('read')
  @ApiOperation({ summary: 'The Kubernetes manifests generated for an OpenAPI integration (validated)' })
  @ID
  @ApiQuery({ name: 'format', required: false, enum: ['yaml', 'json'], description: 'yaml (default): one multi-document YAML; json: objects, kustomize files and the validation result' })
  @ApiOkResponse({ description: 'application/yaml text, or JSON' })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  async manifests(@Param('id') id: string, @Query() query: JsonObject, @Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    const data = await this.admin.manifests(id, query.format);
    if ((query.format ?? 'yaml') !== 'yaml') return data;
    reply.header('content-type', 'application/yaml; charset=utf-8');
    return (data as { yaml: string }).yaml;
  }

  @Get(':id/logs')
  @RequireAccess('read')
  @ApiOperation({ summary: 'The integration call and probe log, newest last' })
  @ID
  @ApiQuery({ name: 'since', required: false, description: 'ISO 8601 time (default: an hour ago)', type: String })
  @ApiQuery({ name: 'level', required: false, enum: ['debug', 'info', 'warn', 'error'], type: String })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 1000 (default 100)', type: Number })
  @ApiOkResponse({ description: '{items: [...]}' })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  logs(@Param('id') id: string, @Query() query: JsonObject): Promise<unknown> {
    return this.admin.logs(id, query);
  }
}

function withEtag(reply: FastifyReply, data: unknown): unknown {
  const etag = etagOf(data);
  if (etag) reply.header('etag', etag);
  return data;
}
