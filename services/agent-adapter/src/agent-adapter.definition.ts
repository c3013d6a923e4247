import { BUCKETS, PING, QUEUE_GROUPS } from '@autoweave/contracts';
import type { ServiceDefinition } from '@autoweave/service-kit';
import { AgentAdapterModule } from './agent-adapter.module.js';
import { loadAgentAdapterConfig, type AgentAdapterConfig } from './config.js';

/** The agent-adapter service as the service kit runs it; main.ts and the tests both start it from here. */
export const agentAdapterService: ServiceDefinition<AgentAdapterConfig> = {
  name: 'agent-adapter',
  pingSubject: PING.agentAdapter,
  queueGroup: QUEUE_GROUPS.agentAdapter,
  defaultHealthPort: 3103,
  buckets: [BUCKETS.manifests],
  // It publishes no user events: it needs no EVENTS stream (and its bus grant has none).
  streams: [],
  module: AgentAdapterModule,
  loadConfig: loadAgentAdapterConfig,
};
