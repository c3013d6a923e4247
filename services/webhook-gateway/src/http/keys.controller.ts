import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequireAccess } from '../auth/access.decorator.js';
import { ApiKeyRegistry, type ApiKeyView, type CreatedApiKey } from '../auth/api-key-registry.js';
import { JsonBody, type JsonObject } from './json-body.js';
import { ApiKeyListSchema, ApiKeySchema, CreateApiKeySchema, CreatedApiKeySchema, ErrorResponseSchema, RotateApiKeySchema } from './schemas.js';

/** `/api/keys`: API key management, admin scope only. Keys are shown once, at creation or rotation. */
@ApiTags('api keys')
@Controller('api/keys')
export class KeysController {
  constructor(@Inject(ApiKeyRegistry) private readonly registry: ApiKeyRegistry) {}

  @Post()
  @HttpCode(201)
  @RequireAccess('admin')
  @ApiOperation({ summary: 'Create an API key; the answer is the only time the key is shown' })
  @ApiBody({ type: CreateApiKeySchema })
  @ApiCreatedResponse({ type: CreatedApiKeySchema })
  create(@JsonBody() body: JsonObject): Promise<CreatedApiKey> {
    return this.registry.create(body);
  }

  @Get()
  @RequireAccess('admin')
  @ApiOperation({ summary: 'List API keys (never the keys or their hashes)' })
  @ApiOkResponse({ type: ApiKeyListSchema })
  list(): Promise<{ items: ApiKeyView[]; total: number }> {
    return this.registry.list();
  }

  @Post(':id/rotate')
  @HttpCode(200)
  @RequireAccess('admin')
  @ApiOperation({
    summary: 'Rotate an API key: a new secret for the same id and scopes, shown only in this answer',
    description: 'The replaced secret keeps working for graceSeconds (default 3600), then is refused.',
  })
  @ApiParam({ name: 'id', description: 'API key id' })
  @ApiBody({ type: RotateApiKeySchema, required: false })
  @ApiOkResponse({ type: CreatedApiKeySchema })
  @ApiBadRequestResponse({ type: ErrorResponseSchema })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  @ApiConflictResponse({ type: ErrorResponseSchema, description: 'The key is revoked' })
  rotate(@Param('id') id: string, @Body() body: unknown): Promise<CreatedApiKey> {
    return this.registry.rotate(id, body);
  }

  @Delete(':id')
  @RequireAccess('admin')
  @ApiOperation({ summary: 'Revoke an API key; it is refused from then on' })
  @ApiParam({ name: 'id', description: 'API key id' })
  @ApiOkResponse({ type: ApiKeySchema })
  @ApiNotFoundResponse({ type: ErrorResponseSchema })
  revoke(@Param('id') id: string): Promise<ApiKeyView> {
    return this.registry.revoke(id);
  }
}
