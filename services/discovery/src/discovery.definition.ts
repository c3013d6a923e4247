import { BUCKETS, PING, QUEUE_GROUPS } from '@autoweave/contracts';
import type { ServiceDefinition } from '@autoweave/service-kit';
import { loadDiscoveryConfig, type DiscoveryConfig } from './config.js';
import { DiscoveryModule } from './discovery.module.js';

/** The discovery service as the service kit runs it; main.ts and the tests both start it from here. */
export const discoveryService: ServiceDefinition<DiscoveryConfig> = {
  name: 'discovery',
  pingSubject: PING.discovery,
  queueGroup: QUEUE_GROUPS.discovery,
  defaultHealthPort: 3101,
  buckets: [BUCKETS.services],
  // It publishes no user events: it needs no EVENTS stream (and its bus grant has none).
  streams: [],
  module: DiscoveryModule,
  loadConfig: loadDiscoveryConfig,
};
