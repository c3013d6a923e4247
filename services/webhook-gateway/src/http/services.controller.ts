import { SERVICE_EVENTS } from '@autoweave/contracts';
import { RUNTIME, type ServiceRuntime } from '@autoweave/service-kit';
import { Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireAccess } from '../auth/access.decorator.js';
import { JsonBody, type JsonObject } from './json-body.js';
import { AcceptedSchema, RegisterServiceSchema } from './schemas.js';

/**
 * `/api/services/*`: service announcements for discovery. Fire-and-forget: the body is published
 * as `service.registered` as is; discovery validates it (a bad one shows in discovery's logs).
 */
@ApiTags('services')
@Controller('api/services')
export class ServicesController {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  @Post('register')
  @HttpCode(202)
  @RequireAccess('write')
  @ApiOperation({ summary: 'Announce a service to discovery (published as service.registered; a re-registration is a heartbeat)' })
  @ApiBody({ type: RegisterServiceSchema })
  @ApiAcceptedResponse({ type: AcceptedSchema })
  register(@JsonBody() body: JsonObject): { accepted: true } {
    this.runtime.bus.publish(SERVICE_EVENTS.registered, body);
    return { accepted: true };
  }
}
