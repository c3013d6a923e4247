import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireAccess } from '../auth/access.decorator.js';
import { OPENAPI_PATH, OpenApiDocument } from './openapi.js';

@ApiTags('meta')
@Controller()
export class OpenApiController {
  constructor(@Inject(OpenApiDocument) private readonly document: OpenApiDocument) {}

  @Get(OPENAPI_PATH)
  @RequireAccess('public')
  @ApiOperation({ summary: "The gateway's own OpenAPI document" })
  @ApiOkResponse({ description: 'OpenAPI 3 document' })
  openapi(): unknown {
    return this.document.get();
  }
}
