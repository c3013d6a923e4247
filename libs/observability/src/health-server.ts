import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { HealthChecks } from './health.js';

export interface HealthServerOptions {
  port: number;
  host?: string;
  checks: HealthChecks;
  registry: Registry;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export const HEALTH_PATHS = { live: '/health/live', ready: '/health/ready', metrics: '/metrics' } as const;

/**
 * The small HTTP port every service that is not the gateway exposes:
 * `/health/live` (the process runs), `/health/ready` (its dependencies answer)
 * and `/metrics` (Prometheus text format).
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((req, res) => {
    void route(req, res, options).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return { port: (server.address() as AddressInfo).port, close: () => closeServer(server) };
}

async function route(req: IncomingMessage, res: ServerResponse, options: HealthServerOptions): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET') return send(res, 405, 'application/json', JSON.stringify({ error: 'method not allowed' }));
  if (path === HEALTH_PATHS.live) return send(res, 200, 'application/json', JSON.stringify({ status: 'ok' }));
  if (path === HEALTH_PATHS.ready) {
    const report = await options.checks.run();
    return send(res, report.status === 'ok' ? 200 : 503, 'application/json', JSON.stringify(report));
  }
  if (path === HEALTH_PATHS.metrics) return send(res, 200, options.registry.contentType, await options.registry.metrics());
  send(res, 404, 'application/json', JSON.stringify({ error: 'not found' }));
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
