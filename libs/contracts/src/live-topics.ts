import { AGENT, INTEGRATION_EVENTS, PIPELINE_EVENTS, SERVICE_EVENTS, STREAMS } from './subjects.js';

/**
 * The subjects the gateway's WebSocket API (`GET /ws`) relays to browsers and
 * other live clients, grouped in families. A family is the unit the gateway
 * subscribes to on NATS (one set of subscriptions per family, shared by every
 * client) and the unit an API key's scopes allow (see the gateway's
 * `live/topic-families.ts`). Only events: request/reply verbs
 * (`integration.admin.*`, `pipeline.admin.*`, ...) never appear here, as their
 * payloads are requests, not news.
 */
export const LIVE_TOPIC_FAMILIES = {
  /** Lifecycle, health, spec changes and discovered modules of integrations. */
  integrations: Object.values(INTEGRATION_EVENTS),
  /** One event per call of an integration (`integration.<id>.request`) and per failed call (`integration.<id>.error`). */
  integrationCalls: ['integration.*.request', 'integration.*.error'],
  /** Pipeline runs starting, ending and writing. */
  pipelines: Object.values(PIPELINE_EVENTS),
  /** Outbound webhook attempt records (the DELIVERIES stream's subjects). */
  webhookDeliveries: [...STREAMS.deliveries.subjects],
  /** Services announcing and withdrawing themselves, and generated manifests. */
  services: [...Object.values(SERVICE_EVENTS), AGENT.manifestsGenerated],
  /** User events (`EventBus.publish` / `POST /api/events/publish`), the EVENTS stream's subjects. */
  userEvents: [...STREAMS.events.subjects],
} as const satisfies Record<string, readonly string[]>;

export type LiveTopicFamily = keyof typeof LIVE_TOPIC_FAMILIES;
