import type { Logger } from '@autoweave/observability';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HttpMetrics } from './http-metrics.js';

/** The route pattern (`/api/integration/:id`), never the raw URL: bounded label values. */
export function routeLabel(request: FastifyRequest): string {
  if (request.is404) return 'unmatched';
  return request.routeOptions.url ?? 'unknown';
}

/** The path without the query string (which may carry secrets). */
export function pathOf(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

const QUIET_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

/** One log line and one metric sample per answered request. */
export function installTelemetryHook(fastify: FastifyInstance, logger: Logger, metrics: HttpMetrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = routeLabel(request);
    const status = reply.statusCode;
    const seconds = reply.elapsedTime / 1000;
    metrics.requests.inc({ method: request.method, route, status: String(status) });
    metrics.duration.observe({ method: request.method, route }, seconds);
    const level = status >= 500 ? 'warn' : QUIET_ROUTES.has(route) ? 'debug' : 'info';
    logger[level](
      {
        correlationId: request.correlationId,
        method: request.method,
        path: pathOf(request.url),
        route,
        status,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        keyId: request.principal?.id,
      },
      'http request',
    );
    done();
  });
}
