import { PING, QUEUE_GROUPS } from '@autoweave/contracts';
import type { ServiceDefinition } from '@autoweave/service-kit';
import { AgentAdapterModule } from './agent-adapter.module.js';

/** The agent-adapter service as the service kit runs it; main.ts and the tests both start it from here. */
export const agentAdapterService: ServiceDefinition = {
  name: 'agent-adapter',
  pingSubject: PING.agentAdapter,
  queueGroup: QUEUE_GROUPS.agentAdapter,
  defaultHealthPort: 3103,
  module: AgentAdapterModule,
};
