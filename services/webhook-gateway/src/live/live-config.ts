import type { EnvReader } from '@autoweave/service-kit';

/** Settings of the WebSocket API (`GET /ws`); AUTOWEAVE_WS_* in docs/CONFIGURATION.md. */
export interface LiveConfig {
  /** Open connections at most (authenticated or not); more are answered 503. */
  maxConnections: number;
  /** How long a connection without a key in its headers has to send `{type: 'auth', key}`. */
  authTimeoutMs: number;
  /** Ping period; a connection that has not answered the previous ping is closed. */
  pingIntervalMs: number;
  /** How often a connection's key is checked again, so a revoked key is cut off. */
  reauthIntervalMs: number;
  /** Unsent bytes a socket may hold before frames wait in the connection's queue. */
  sendHighWaterBytes: number;
  /** Frames waiting per connection at most; beyond it the oldest are discarded. */
  queueMessages: number;
  /** Characters of frames waiting per connection at most; beyond it the oldest are discarded. */
  queueBytes: number;
}

export const LIVE_DEFAULTS: LiveConfig = {
  maxConnections: 5000,
  authTimeoutMs: 5000,
  pingIntervalMs: 30_000,
  reauthIntervalMs: 60_000,
  sendHighWaterBytes: 1024 * 1024,
  queueMessages: 1000,
  queueBytes: 8 * 1024 * 1024,
};

export function loadLiveConfig(env: EnvReader): LiveConfig {
  const d = LIVE_DEFAULTS;
  return {
    maxConnections: env.int('AUTOWEAVE_WS_MAX_CONNECTIONS', d.maxConnections, { min: 1, max: 1_000_000 }),
    authTimeoutMs: env.int('AUTOWEAVE_WS_AUTH_TIMEOUT_MS', d.authTimeoutMs, { min: 100, max: 60_000 }),
    pingIntervalMs: env.int('AUTOWEAVE_WS_PING_INTERVAL_MS', d.pingIntervalMs, { min: 50, max: 600_000 }),
    reauthIntervalMs: env.int('AUTOWEAVE_WS_REAUTH_INTERVAL_MS', d.reauthIntervalMs, { min: 100, max: 3_600_000 }),
    sendHighWaterBytes: env.int('AUTOWEAVE_WS_SEND_HIGH_WATER_BYTES', d.sendHighWaterBytes, { min: 1024, max: 256 * 1024 * 1024 }),
    queueMessages: env.int('AUTOWEAVE_WS_QUEUE_MESSAGES', d.queueMessages, { min: 1, max: 1_000_000 }),
    queueBytes: env.int('AUTOWEAVE_WS_QUEUE_BYTES', d.queueBytes, { min: 1024, max: 1024 * 1024 * 1024 }),
  };
}
