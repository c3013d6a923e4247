import { BUCKETS, PING, QUEUE_GROUPS, STREAMS } from '@autoweave/contracts';
import type { ServiceDefinition } from '@autoweave/service-kit';
import { DEFAULT_HTTP_PORT, loadGatewayConfig, type GatewayConfig } from './config.js';
import { GatewayModule } from './gateway.module.js';
import { createHttpApp } from './http/http-app.js';
import { WEBHOOKS_IN_STREAM } from './webhooks/inbound/replay-window.js';
import { AUDIT_STREAM } from './audit/audit-log.js';

/** The webhook gateway as the service kit runs it; main.ts and the tests both start it from here. */
export const gatewayService: ServiceDefinition<GatewayConfig> = {
  name: 'webhook-gateway',
  pingSubject: PING.webhookGateway,
  queueGroup: QUEUE_GROUPS.webhookGateway,
  // Not used: health and metrics are served on the HTTP port (AUTOWEAVE_HTTP_PORT).
  defaultHealthPort: DEFAULT_HTTP_PORT,
  buckets: [BUCKETS.apiKeys, BUCKETS.integrations],
  streams: [STREAMS.events, WEBHOOKS_IN_STREAM, STREAMS.deliveries, STREAMS.webhookDlq, AUDIT_STREAM],
  module: GatewayModule,
  loadConfig: loadGatewayConfig,
  createHttpApp,
};
