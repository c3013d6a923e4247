import type { HttpApp, ServiceRuntime } from '@autoweave/service-kit';
import { PinoNestLogger } from '@autoweave/service-kit';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { ApiKeyRegistry } from '../auth/api-key-registry.js';
import { installAuthHook } from '../auth/auth.hook.js';
import type { GatewayConfig } from '../config.js';
import { boundPort } from './address.js';
import { installCorrelationHook } from './correlation.hook.js';
import { HttpErrorFilter } from './error.filter.js';
import { installGracefulClose } from './graceful-close.hook.js';
import { httpMetrics } from './http-metrics.js';
import { installJsonBodyCheck } from './json-body.js';
import { buildOpenApiDocument, OpenApiDocument } from './openapi.js';
import { installTelemetryHook } from './telemetry.hook.js';
import { InboundWebhooks } from '../webhooks/inbound/inbound-webhooks.js';
import { installInboundWebhookRoute } from '../webhooks/inbound/inbound-route.js';
import { LiveEvents } from '../live/live-events.js';
import { installDashboardRoutes } from '../dashboard/dashboard-route.js';
import { ApiRateLimiter } from '../auth/api-rate-limiter.js';
import { AuditLog } from '../audit/audit-log.js';
import { installAuditHook } from '../audit/audit-hook.js';
import { installApiSecurityHeaders } from './api-security-headers.js';
import { installCors } from './cors.js';

/**
 * The gateway's HTTP application (the kit's `createHttpApp` hook): NestJS on
 * Fastify, listening on AUTOWEAVE_HTTP_PORT. The kit attaches the bus
 * transport to it and closes it (Fastify included) on stop.
 *
 * Per request, in order: correlation id (onRequest), CORS (preflights are
 * answered there) and `/api/*` security headers, API key, rate limit and scope
 * (onRequest, before the body is read), body parsing with the size limit,
 * JSON-object check (preValidation), the controller, the error filter, and a
 * log line, metrics and the audit entry (onResponse). While closing, answers end their
 * connection so `close()` does not wait for keep-alive timeouts.
 */
export async function createHttpApp(root: DynamicModule, runtime: ServiceRuntime<GatewayConfig>): Promise<HttpApp> {
  const { config, logger } = runtime;
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    logger: false,
    requestIdHeader: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    logger: new PinoNestLogger(logger),
    // Only Fastify's own JSON parser (with prototype-poisoning protection): no form bodies.
    bodyParser: false,
    abortOnError: false,
  });
  try {
    const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
    installCorrelationHook(fastify);
    installCors(fastify, config.corsOrigins);
    installApiSecurityHeaders(fastify);
    installAuthHook(fastify, app.get(ApiKeyRegistry), new ApiRateLimiter(config.apiRateLimit));
    installJsonBodyCheck(fastify);
    installTelemetryHook(fastify, logger, httpMetrics(runtime.registry));
    installAuditHook(fastify, app.get(AuditLog));
    installGracefulClose(fastify);
    installInboundWebhookRoute(fastify, app.get(InboundWebhooks).ingest, { bodyLimitBytes: config.webhookBodyLimitBytes, logger });
    app.get(LiveEvents).attach(fastify.server);
    installDashboardRoutes(fastify, config.dashboard, logger);
    app.useGlobalFilters(new HttpErrorFilter(logger, config.bodyLimitBytes));
    app.get(OpenApiDocument).set(buildOpenApiDocument(app, runtime.version, config));
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  const listen = async (): Promise<void> => {
    await app.listen({ port: config.httpPort, host: config.httpHost });
    logger.info({ host: config.httpHost, port: boundPort(app) }, 'HTTP API listening');
  };
  return { app, listen };
}
