import { parseOutboundAllow, type OutboundPolicy } from '@autoweave/resilience';
import { type BaseConfig, type EnvReader } from '@autoweave/service-kit';
import { readSecretKeys, type SecretKeys } from '@autoweave/security';
import { hashApiKey } from './auth/api-key.js';
import { loadLiveConfig, type LiveConfig } from './live/live-config.js';
import { loadDashboardConfig, type DashboardConfig } from './dashboard/dashboard-config.js';
import { parseCorsOrigins } from './http/cors.js';

export const DEFAULT_HTTP_PORT = 3000;
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
export const DEFAULT_API_KEY_CACHE_MS = 5000;
export const DEFAULT_WEBHOOK_CONCURRENCY = 64;
export const DEFAULT_WEBHOOK_MAX_ACK_PENDING = 10_000;
export const DEFAULT_WEBHOOK_ACK_MARGIN_MS = 30_000;
export const DEFAULT_WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;
export const DEFAULT_WEBHOOK_FAILURE_THRESHOLD = 10;
/** Per API key: a steady 100 requests a second, bursts of 200: far above a dashboard or a script polling, far below a runaway loop. */
export const DEFAULT_API_RATE_LIMIT_RPS = 100;
export const DEFAULT_API_RATE_LIMIT_BURST = 200;
/**
 * Largest allowed webhook timestamp tolerance. WEBHOOKS_IN drops a repeated
 * webhook-id for 10 minutes (gateway.definition.ts), which covers a replay
 * anywhere in the +-tolerance window only while the tolerance is at most 5 minutes.
 */
export const MAX_WEBHOOK_TOLERANCE_SECONDS = 300;

export interface GatewayConfig extends BaseConfig {
  /** Port of the HTTP API (0: any free port; the bound one is on the running app). */
  httpPort: number;
  httpHost: string;
  /** Largest request body accepted; larger ones are answered 413. */
  bodyLimitBytes: number;
  /**
   * sha256 (hex) of each key of AUTOWEAVE_ADMIN_API_KEY (comma-separated, so
   * an operator can roll it). The keys themselves are not kept in memory or
   * config; when none is set a development key is generated at start.
   */
  adminApiKeyHashes: string[];
  /** How long a looked-up API key is trusted before it is read again from the KV bucket. */
  apiKeyCacheMs: number;
  /** The hub's AUTOWEAVE_SECRET_KEY (and _PREVIOUS): the gateway opens webhook secrets to verify and sign. */
  secretKeys: SecretKeys;
  /** Largest inbound webhook body (`POST /webhooks/:id`); larger ones are answered 413. */
  webhookBodyLimitBytes: number;
  /** How far a webhook-timestamp may be from now, either way. */
  webhookToleranceSeconds: number;
  /** Verification failures in a row after which an integration is reported unhealthy. */
  webhookFailureThreshold: number;
  /** Address classes outbound webhooks may reach besides public ones (AUTOWEAVE_OUTBOUND_ALLOW). */
  outboundPolicy: OutboundPolicy;
  /** Outbound deliveries in flight per unordered endpoint and replica. */
  webhookConcurrency: number;
  /** Unacknowledged deliveries per endpoint across replicas, those waiting for a retry included. */
  webhookMaxAckPending: number;
  /** Added to twice an endpoint's timeout: how long JetStream waits for a delivery's ack before redelivering. */
  webhookAckMarginMs: number;
  /** The WebSocket API (`GET /ws`): AUTOWEAVE_WS_*. */
  live: LiveConfig;
  /** The dashboard served at `/`: AUTOWEAVE_DASHBOARD, AUTOWEAVE_DASHBOARD_DIR. */
  dashboard: DashboardConfig;
  /** Requests per API key (admin key included): a token bucket per key id. rps 0 turns the limit off. */
  apiRateLimit: { rps: number; burst: number };
  /** Origins allowed to call the API from a browser (AUTOWEAVE_CORS_ORIGINS); empty: CORS off. */
  corsOrigins: string[];
}

export function loadGatewayConfig(env: EnvReader, base: BaseConfig): GatewayConfig {
  const adminKeys = env.list('AUTOWEAVE_ADMIN_API_KEY');
  const secretKeys = readSecretKeys(env);
  const outboundPolicy = env.parsed('AUTOWEAVE_OUTBOUND_ALLOW', parseOutboundAllow);
  return {
    ...base,
    httpPort: env.int('AUTOWEAVE_HTTP_PORT', DEFAULT_HTTP_PORT, { min: 0, max: 65535 }),
    httpHost: env.string('AUTOWEAVE_HTTP_HOST', '0.0.0.0'),
    bodyLimitBytes: env.int('AUTOWEAVE_HTTP_BODY_LIMIT_BYTES', DEFAULT_BODY_LIMIT_BYTES, { min: 1024, max: 64 * 1024 * 1024 }),
    adminApiKeyHashes: adminKeys.map(hashApiKey),
    apiKeyCacheMs: env.int('AUTOWEAVE_API_KEY_CACHE_MS', DEFAULT_API_KEY_CACHE_MS, { min: 0, max: 10_000 }),
    secretKeys,
    webhookBodyLimitBytes: env.int('AUTOWEAVE_WEBHOOK_BODY_LIMIT_BYTES', DEFAULT_WEBHOOK_BODY_LIMIT_BYTES, { min: 1024, max: 64 * 1024 * 1024 }),
    webhookToleranceSeconds: env.int('AUTOWEAVE_WEBHOOK_TOLERANCE_SECONDS', MAX_WEBHOOK_TOLERANCE_SECONDS, { min: 1, max: MAX_WEBHOOK_TOLERANCE_SECONDS }),
    webhookFailureThreshold: env.int('AUTOWEAVE_WEBHOOK_FAILURE_THRESHOLD', DEFAULT_WEBHOOK_FAILURE_THRESHOLD, { min: 1, max: 1_000_000 }),
    outboundPolicy,
    webhookConcurrency: env.int('AUTOWEAVE_WEBHOOK_CONCURRENCY', DEFAULT_WEBHOOK_CONCURRENCY, { min: 1, max: 10_000 }),
    webhookMaxAckPending: env.int('AUTOWEAVE_WEBHOOK_MAX_ACK_PENDING', DEFAULT_WEBHOOK_MAX_ACK_PENDING, { min: 1, max: 1_000_000 }),
    webhookAckMarginMs: env.int('AUTOWEAVE_WEBHOOK_ACK_MARGIN_MS', DEFAULT_WEBHOOK_ACK_MARGIN_MS, { min: 1000, max: 600_000 }),
    live: loadLiveConfig(env),
    dashboard: loadDashboardConfig(env),
    apiRateLimit: {
      rps: env.int('AUTOWEAVE_API_RATE_LIMIT_RPS', DEFAULT_API_RATE_LIMIT_RPS, { min: 0, max: 1_000_000 }),
      burst: env.int('AUTOWEAVE_API_RATE_LIMIT_BURST', DEFAULT_API_RATE_LIMIT_BURST, { min: 1, max: 1_000_000 }),
    },
    corsOrigins: env.parsed('AUTOWEAVE_CORS_ORIGINS', parseCorsOrigins),
  };
}
