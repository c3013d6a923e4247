import { existsSync } from 'node:fs';
import type { Logger } from '@autoweave/observability';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ACCESS_CONFIG_KEY } from '../auth/access.decorator.js';
import type { DashboardConfig } from './dashboard-config.js';
import { DashboardFiles } from './dashboard-files.js';
import { DASHBOARD_SECURITY_HEADERS } from './security-headers.js';

/**
 * `GET /` and `GET /assets/*`: the dashboard's static files, on Fastify
 * directly (no Nest pipeline, no API key: the page is public, everything it
 * shows comes from the API with the key the user enters). With no build to
 * serve (the dashboard package not built, or AUTOWEAVE_DASHBOARD=false), `/`
 * says so instead.
 */
export function installDashboardRoutes(fastify: FastifyInstance, config: DashboardConfig, logger: Logger): void {
  if (!config.enabled) return;
  let files: DashboardFiles | undefined;
  if (config.dir && existsSync(config.dir)) {
    try {
      files = DashboardFiles.load(config.dir);
      logger.info({ dir: config.dir, files: files.size }, 'serving the dashboard at /');
    } catch (err) {
      logger.warn({ dir: config.dir, err: (err as Error).message }, 'the dashboard build cannot be served');
    }
  } else {
    logger.warn({ dir: config.dir }, 'the dashboard is not built (pnpm build in apps/dashboard); / answers 503');
  }
  const route = { config: { [ACCESS_CONFIG_KEY]: 'public' } };
  fastify.get('/', route, (request, reply) => send(request, reply, files, '/index.html'));
  fastify.get('/assets/*', route, (request, reply) => send(request, reply, files, request.url.split('?')[0]!));
}

function send(request: FastifyRequest, reply: FastifyReply, files: DashboardFiles | undefined, path: string): FastifyReply {
  reply.headers(DASHBOARD_SECURITY_HEADERS);
  if (!files) {
    return reply.code(503).type('text/plain; charset=utf-8').send('The dashboard is not built: run pnpm build (or set AUTOWEAVE_DASHBOARD_DIR).\n');
  }
  const file = files.get(path);
  if (!file) return reply.code(404).type('text/plain; charset=utf-8').send('Not found\n');
  reply.header('etag', file.etag);
  reply.header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  reply.header('vary', 'accept-encoding');
  reply.type(file.type);
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  if (file.gzip && acceptsGzip(request)) return reply.header('content-encoding', 'gzip').send(file.gzip);
  return reply.send(file.body);
}

function acceptsGzip(request: FastifyRequest): boolean {
  const accept = request.headers['accept-encoding'];
  return typeof accept === 'string' && /\bgzip\b/.test(accept);
}
