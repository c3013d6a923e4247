import type { Registry } from '@autoweave/observability';
import { RUNTIME, type ServiceRuntime } from '@autoweave/service-kit';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequireAccess } from '../auth/access.decorator.js';

/** Health and metrics on the main HTTP port (the gateway has no separate health port). */
@ApiTags('health')
@Controller()
export class HealthController {
  private readonly registry: Registry;

  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {
    this.registry = runtime.registry;
  }

  @Get('health/live')
  @RequireAccess('public')
  @ApiOperation({ summary: 'Liveness: the process runs' })
  @ApiOkResponse({ description: '{"status": "ok"}' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @RequireAccess('public')
  @ApiOperation({ summary: 'Readiness: NATS and the api_keys bucket answer' })
  @ApiOkResponse({ description: 'Ready; the report of each check' })
  @ApiServiceUnavailableResponse({ description: 'Not ready; the report says which check failed' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    const report = await this.runtime.health.run();
    reply.status(report.status === 'ok' ? 200 : 503);
    return report;
  }

  @Get('metrics')
  @RequireAccess('public')
  @ApiOperation({ summary: 'Prometheus metrics' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format' })
  async metrics(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    reply.header('content-type', this.registry.contentType);
    return this.registry.metrics();
  }
}
