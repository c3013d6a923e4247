import type { IncomingMessage, Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError } from '@autoweave/contracts';
import type { Logger, Registry } from '@autoweave/observability';
import type { NatsConnection } from '@nats-io/transport-node';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiKeyRegistry, Principal } from '../auth/api-key-registry.js';
import { pathOf } from '../http/telemetry.hook.js';
import { ConnectionAuth, hasKeyInUrl, keyFromHeaders } from './connection-auth.js';
import { Heartbeat } from './heartbeat.js';
import type { LiveConfig } from './live-config.js';
import { LiveConnection } from './live-connection.js';
import { LiveMetrics, type RefusalReason } from './live-metrics.js';
import { NatsFanIn } from './nats-fan-in.js';
import { SubscriptionRegistry } from './subscription-registry.js';

/** The WebSocket API's path. */
export const LIVE_PATH = '/ws';

/** Largest message a client may send (subscribe lists are small); larger ones close the connection with 1009. */
export const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;

export interface LiveEventsDeps {
  nc: NatsConnection;
  keys: ApiKeyRegistry;
  config: LiveConfig;
  logger: Logger;
  registry: Registry;
}

/**
 * `GET /ws`: live events over WebSocket. Takes HTTP upgrades off the
 * gateway's Node server before Fastify sees them (no Fastify route, hook or
 * body parsing is involved), decides on them (path, credentials in the URL,
 * capacity, a key in the headers), and runs the accepted connections:
 * subscriptions, the shared NATS fan-in, heartbeats and backpressure.
 */
export class LiveEvents {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES, perMessageDeflate: false, clientTracking: false });
  private readonly connections = new Set<LiveConnection>();
  private readonly subscriptions: SubscriptionRegistry<LiveConnection>;
  private readonly fanIn: NatsFanIn<LiveConnection>;
  private readonly heartbeat: Heartbeat;
  private readonly metrics: LiveMetrics;
  private readonly auth: ConnectionAuth;
  private pending = 0;
  private closing = false;

  constructor(private readonly deps: LiveEventsDeps) {
    this.metrics = new LiveMetrics(deps.registry);
    this.auth = new ConnectionAuth(deps.keys);
    let fanIn: NatsFanIn<LiveConnection> | undefined;
    this.subscriptions = new SubscriptionRegistry<LiveConnection>((family, interested) => fanIn?.interest(family, interested));
    fanIn = new NatsFanIn(deps.nc, this.subscriptions, deps.logger, (recipients) => this.metrics.delivered.inc(recipients));
    this.fanIn = fanIn;
    this.heartbeat = new Heartbeat(deps.config.pingIntervalMs, () => this.connections, () => this.metrics.closedDead.inc());
  }

  /** Starts taking upgrades on the gateway's HTTP server. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(request, socket, head));
    this.heartbeat.start();
  }

  /** Open connections (for tests). */
  get size(): number {
    return this.connections.size;
  }

  /** Topic families with an open NATS subscription (for tests). */
  openFamilies(): string[] {
    return this.fanIn.openFamilies();
  }

  /** Nest calls it before the HTTP server closes, so open connections do not hold the shutdown up. */
  onModuleDestroy(): void {
    this.close();
  }

  /** Closes every connection with 1001 (going away) and leaves NATS. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.heartbeat.stop();
    for (const connection of [...this.connections]) connection.close(1001, 'the gateway is shutting down');
    this.fanIn.close();
    this.wss.close();
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    if (pathOf(request.url ?? '') !== LIVE_PATH) return this.refuse(socket, 'not_found', 404, 'NOT_FOUND', `no WebSocket endpoint at ${pathOf(request.url ?? '')}; use ${LIVE_PATH}`);
    if (this.closing) return this.refuse(socket, 'closing', 503, 'UNAVAILABLE', 'the gateway is shutting down');
    if (hasKeyInUrl(request.url)) {
      return this.refuse(socket, 'key_in_url', 400, 'VALIDATION', 'API keys are not accepted in URLs: send the x-api-key or Authorization header, or {"type":"auth","key":...} as the first message');
    }
    if (this.connections.size + this.pending >= this.deps.config.maxConnections) {
      return this.refuse(socket, 'capacity', 503, 'UNAVAILABLE', `the gateway has ${this.deps.config.maxConnections} live connections (AUTOWEAVE_WS_MAX_CONNECTIONS); try again later`);
    }
    const key = keyFromHeaders(request);
    let principal: Principal | undefined;
    if (key !== undefined) {
      this.pending++;
      try {
        principal = await this.auth.authenticate(key);
      } catch (err) {
        const message = err instanceof AppError ? err.message : 'invalid or revoked API key';
        return this.refuse(socket, 'unauthorized', 401, 'UNAUTHORIZED', message, { 'www-authenticate': 'Bearer' });
      } finally {
        this.pending--;
      }
      if (socket.destroyed || this.closing) {
        socket.destroy();
        return;
      }
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, principal && key ? { principal, key } : undefined));
  }

  private accept(ws: WebSocket, authenticated: { principal: Principal; key: string } | undefined): void {
    const { config, logger } = this.deps;
    const connection = new LiveConnection(ws, {
      auth: this.auth,
      subscriptions: this.subscriptions,
      limits: { highWaterBytes: config.sendHighWaterBytes, maxQueuedMessages: config.queueMessages, maxQueuedBytes: config.queueBytes },
      authTimeoutMs: config.authTimeoutMs,
      reauthIntervalMs: config.reauthIntervalMs,
      logger,
      onDrop: (count) => this.metrics.dropped.inc(count),
      settled: () => this.fanIn.settled(),
      onClosed: (closed) => {
        if (this.connections.delete(closed)) this.metrics.connections.dec();
      },
    });
    this.connections.add(connection);
    this.metrics.connections.inc();
    connection.start(authenticated);
  }

  /** Answers an upgrade with a plain HTTP error (the error body of the REST API) and closes the socket. */
  private refuse(socket: Duplex, reason: RefusalReason, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
    this.metrics.refused.inc({ reason });
    if (socket.destroyed) return;
    const body = JSON.stringify({ error: { code, message } });
    const lines = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
      'Connection: close',
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  }
}
