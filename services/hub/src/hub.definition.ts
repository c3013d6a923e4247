import { BUCKETS, PING, QUEUE_GROUPS, STREAMS } from '@autoweave/contracts';
import type { ServiceDefinition } from '@autoweave/service-kit';
import { loadHubConfig, type HubConfig } from './config.js';
import { HEALTH_LEASES_BUCKET } from './health/health-monitor.js';
import { HubModule } from './hub.module.js';
import { PLUGIN_LEASES_BUCKET } from './plugins/plugin.providers.js';

/** The hub as the service kit runs it; main.ts and the tests both start it from here. */
export const hubService: ServiceDefinition<HubConfig> = {
  name: 'hub',
  pingSubject: PING.hub,
  queueGroup: QUEUE_GROUPS.hub,
  defaultHealthPort: 3102,
  buckets: [BUCKETS.integrations, HEALTH_LEASES_BUCKET, PLUGIN_LEASES_BUCKET],
  streams: [STREAMS.events, STREAMS.integrationLogs],
  module: HubModule,
  loadConfig: loadHubConfig,
};
