import { readFileSync } from 'node:fs';
import { AuthorizationError, connect, credsAuthenticator, nkeyAuthenticator, type Authenticator, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { Logger } from '@autoweave/observability';

export interface ConnectionConfig {
  /** One or more comma-separated server URLs, e.g. nats://127.0.0.1:4222 */
  url: string;
  /** Shown in the server's connection list (`nats server report connections`). */
  name: string;
  user?: string;
  pass?: string;
  token?: string;
  /** The user's NKey seed (`SU...`): the generated bus users authenticate this way. */
  nkeySeed?: string;
  /** A `.creds` file (JWT + NKey seed), for servers in operator mode. */
  credsFile?: string;
  /** TLS to the server: a CA to trust and, for mutual TLS, a client certificate and key (file paths). */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** How long to keep trying the first connection before giving up (ms). */
  connectTimeoutMs?: number;
  /** Extra nats.js options (TLS, authenticator...). */
  options?: Partial<NodeConnectionOptions>;
}

/**
 * Connects with reconnect forever (a restarted NATS server must not kill a
 * service) and logs every status change. The first connection is retried until
 * `connectTimeoutMs` so services can start before the server is up.
 */
export async function connectNats(config: ConnectionConfig, logger: Logger): Promise<NatsConnection> {
  const servers = config.url.split(',').map((s) => s.trim()).filter(Boolean);
  const deadline = Date.now() + (config.connectTimeoutMs ?? 30_000);
  for (let attempt = 1; ; attempt++) {
    try {
      const nc = await connect({
        servers,
        name: config.name,
        user: config.user,
        pass: config.pass,
        token: config.token,
        ...authenticatorOf(config),
        ...tlsOf(config),
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        pingInterval: 10_000,
        ...config.options,
      });
      logger.info({ server: nc.getServer() }, 'connected to NATS');
      void watchStatus(nc, logger);
      return nc;
    } catch (err) {
      // Wrong credentials do not get better by waiting.
      if (Date.now() > deadline || err instanceof AuthorizationError) throw err;
      logger.warn({ attempt, err: (err as Error).message }, 'NATS not reachable yet, retrying');
      await new Promise((r) => setTimeout(r, Math.min(2000, 200 * attempt)));
    }
  }
}

function authenticatorOf(config: ConnectionConfig): { authenticator?: Authenticator } {
  if (config.credsFile) return { authenticator: credsAuthenticator(readFileSync(config.credsFile)) };
  if (config.nkeySeed) return { authenticator: nkeyAuthenticator(new TextEncoder().encode(config.nkeySeed.trim())) };
  return {};
}

function tlsOf(config: ConnectionConfig): Pick<NodeConnectionOptions, 'tls'> {
  const tls = config.tls;
  if (!tls || (!tls.caFile && !tls.certFile && !tls.keyFile)) return {};
  return { tls: { ...(tls.caFile ? { caFile: tls.caFile } : {}), ...(tls.certFile ? { certFile: tls.certFile } : {}), ...(tls.keyFile ? { keyFile: tls.keyFile } : {}) } };
}

async function watchStatus(nc: NatsConnection, logger: Logger): Promise<void> {
  for await (const status of nc.status()) {
    switch (status.type) {
      case 'disconnect':
        logger.warn({ server: status.server }, 'NATS disconnected');
        break;
      case 'reconnect':
        logger.info({ server: status.server }, 'NATS reconnected');
        break;
      case 'error':
        logger.error({ err: String(status.error) }, 'NATS error');
        break;
      default:
        break;
    }
  }
}
