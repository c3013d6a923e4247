/**
 * The subject catalogue: every NATS subject AutoWeave publishes, subscribes or
 * requests on. Nowhere else in the code base is a subject written as a string
 * literal; a change of subject is a change here (and is checked by a test that
 * scans the sources).
 */

/** Fire-and-forget events about integrations and the modules that become them. */
export const INTEGRATION_EVENTS = {
  moduleDiscovered: 'integration.module.discovered',
  created: 'integration.created',
  updated: 'integration.updated',
  deleted: 'integration.deleted',
  failed: 'integration.failed',
  healthChanged: 'integration.health.changed',
  openapiUpdated: 'integration.openapi.updated',
} as const;

/** Request/reply verbs answered by the hub. */
export const INTEGRATION_ADMIN = {
  register: 'integration.admin.register',
  list: 'integration.admin.list',
  get: 'integration.admin.get',
  update: 'integration.admin.update',
  delete: 'integration.admin.delete',
  enable: 'integration.admin.enable',
  disable: 'integration.admin.disable',
  test: 'integration.admin.test',
  metrics: 'integration.admin.metrics',
  logs: 'integration.admin.logs',
  sync: 'integration.admin.sync',
  /** New Standard Webhooks secret for a webhook integration; the old one stays valid for a grace period. */
  rotateSecret: 'integration.admin.rotate-secret',
  /** Installs a plugin package (npm, url or local) and registers it as a plugin integration. */
  install: 'integration.admin.install',
} as const;

export const INTEGRATION_REQUEST = {
  execute: 'integration.request.execute',
} as const;

export const SERVICE_EVENTS = {
  registered: 'service.registered',
  deregistered: 'service.deregistered',
} as const;

export const PIPELINE_EVENTS = {
  executionStarted: 'pipeline.execution.started',
  executionCompleted: 'pipeline.execution.completed',
  executionFailed: 'pipeline.execution.failed',
  dataWritten: 'pipeline.data.written',
} as const;

export const PIPELINE_ADMIN = {
  register: 'pipeline.admin.register',
  list: 'pipeline.admin.list',
  get: 'pipeline.admin.get',
  execute: 'pipeline.admin.execute',
  pause: 'pipeline.admin.pause',
  resume: 'pipeline.admin.resume',
  delete: 'pipeline.admin.delete',
  status: 'pipeline.admin.status',
  metrics: 'pipeline.admin.metrics',
  /** The items of a pipeline that failed processing (its PIPELINE_DLQ entries). */
  deadLetters: 'pipeline.admin.dead-letters',
  /** Processes a pipeline's dead letters again; those that pass leave the DLQ. */
  retryDeadLetters: 'pipeline.admin.retry-dead-letters',
  /** The registered adapters and processors with their config JSON Schemas (what a form builder needs). */
  components: 'pipeline.admin.components',
} as const;

/** Request/reply: search across what the integrations expose, answered by the pipeline worker (which indexes it). */
export const SEARCH = {
  /** Operations of every OpenAPI integration that best match a plain-language query. */
  endpoints: 'search.endpoints',
} as const;

export const AGENT = {
  generateManifests: 'agent.manifests.generate',
  /** The manifests last generated and stored for an integration. */
  getManifests: 'agent.manifests.get',
  manifestsGenerated: 'agent.manifests.generated',
} as const;

/** Request/reply verbs about webhook deliveries, answered by the webhook gateway (which delivers). */
export const WEBHOOK_ADMIN = {
  deliveries: 'webhook.admin.deliveries',
  replay: 'webhook.admin.replay',
  replaySince: 'webhook.admin.replay-since',
} as const;

export const DISCOVERY = {
  scan: 'discovery.scan',
} as const;

/** Liveness probes over the bus: each service answers `<service>.ping`. */
export const PING = {
  discovery: 'discovery.ping',
  hub: 'hub.ping',
  agentAdapter: 'agent.ping',
  webhookGateway: 'gateway.ping',
  pipelineWorker: 'pipeline.ping',
} as const;

/** The prefix user events live under in the EVENTS stream. */
export const EVENTS_PREFIX = 'events';

/** Subjects built from a parameter. Tokens are checked so a parameter cannot inject wildcards. */
export const subjectFor = {
  /** `EventBus.publish('user.created')` lands on `events.user.created`. */
  event: (topic: string): string => `${EVENTS_PREFIX}.${checkTopic(topic)}`,
  integrationRequest: (id: string): string => `integration.${checkToken(id)}.request`,
  integrationError: (id: string): string => `integration.${checkToken(id)}.error`,
  /** Where the calls of one integration are logged (the INTEGRATION_LOGS stream). */
  integrationLog: (id: string): string => `integration.log.${checkToken(id)}`,
  /** An inbound webhook as persisted in WEBHOOKS_IN. */
  webhookIn: (id: string, eventType: string): string => `webhook.in.${checkToken(id)}.${checkTopic(eventType)}`,
  /** The topic (under `events.`) an inbound webhook is republished on for subscribers. */
  webhookEventTopic: (id: string, eventType: string): string => `webhook.${checkToken(id)}.${checkTopic(eventType)}`,
  /** One outbound delivery attempt, recorded in DELIVERIES; the outcome token lets a reader filter by it. */
  webhookDelivery: (id: string, outcome: DeliveryOutcome): string => `webhook.delivery.${checkToken(id)}.${outcome}`,
  /** An outbound webhook whose last attempt failed (WEBHOOK_DLQ). */
  webhookDeadLetter: (id: string): string => `webhook.dlq.${checkToken(id)}`,
  /** Items a pipeline could not process (PIPELINE_DLQ). */
  pipelineDeadLetter: (pipelineId: string): string => `pipeline.dlq.${checkToken(pipelineId)}`,
  /** A call to a plugin, answered by the hub replica running it (it holds the plugin's lease). */
  pluginCall: (integrationId: string): string => `plugin.call.${checkToken(integrationId)}`,
  /** The topic namespace a plugin publishes under (`plugins.<token>`, token from `pluginToken`); events land on `events.plugins.<token>.*`. */
  pluginNamespace: (token: string): string => `${PLUGIN_TOPIC_ROOT}.${checkToken(token)}`,
  /** The topic pattern a plugin may publish to: `plugins.<token>.>`. */
  pluginTopics: (token: string): string => `${PLUGIN_TOPIC_ROOT}.${checkToken(token)}.>`,
  /** One audited API request (the AUDIT stream), under the id of the API key that made it. */
  audit: (keyId: string): string => `audit.${checkToken(keyId)}`,
} as const;

/** Root of the plugins' topic namespaces: plugin `x` may publish `plugins.x.<anything>` and nothing else. */
export const PLUGIN_TOPIC_ROOT = 'plugins';

/** Outcome of one outbound delivery attempt: `dead` is a failed last attempt (the message went to WEBHOOK_DLQ). */
export const DELIVERY_OUTCOMES = ['succeeded', 'failed', 'dead'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/** Subject filters for readers of the streams (wildcards; never published to). */
export const subjectFilter = {
  webhookIn: (id?: string): string => (id ? `webhook.in.${checkToken(id)}.>` : 'webhook.in.>'),
  webhookDeliveries: (id: string, outcome?: DeliveryOutcome): string => `webhook.delivery.${checkToken(id)}.${outcome ?? '*'}`,
  webhookDeadLetters: (id: string): string => `webhook.dlq.${checkToken(id)}`,
  /** `events.<pattern>` for a subscription pattern such as `user.*` or `order.>`. */
  events: (pattern: string): string => `${EVENTS_PREFIX}.${pattern}`,
} as const;

/** JetStream streams and the subjects they capture. */
export const STREAMS = {
  events: { name: 'EVENTS', subjects: [`${EVENTS_PREFIX}.>`] },
  webhooksIn: { name: 'WEBHOOKS_IN', subjects: ['webhook.in.>'] },
  deliveries: { name: 'DELIVERIES', subjects: ['webhook.delivery.>'] },
  integrationLogs: { name: 'INTEGRATION_LOGS', subjects: ['integration.log.>'] },
  pipelineDlq: { name: 'PIPELINE_DLQ', subjects: ['pipeline.dlq.>'] },
  webhookDlq: { name: 'WEBHOOK_DLQ', subjects: ['webhook.dlq.>'] },
  /** Who did what through the API, written by the webhook gateway (`GET /api/audit`). */
  audit: { name: 'AUDIT', subjects: ['audit.>'] },
} as const;

export type StreamSpec = (typeof STREAMS)[keyof typeof STREAMS];

/** JetStream KV buckets. */
export const BUCKETS = {
  integrations: 'integrations',
  pipelines: 'pipelines',
  pipelineCursors: 'pipeline_cursors',
  webhookEndpoints: 'webhook_endpoints',
  services: 'services',
  apiKeys: 'api_keys',
  /** Generated Kubernetes manifests, one key per integration. */
  manifests: 'manifests',
  /** Who runs which periodic health probe: one replica per integration and interval slot. */
  healthLeases: 'health_leases',
  /** Which hub replica runs which plugin: one lease per plugin integration, renewed while it runs. */
  pluginLeases: 'plugin_leases',
  /** Who runs which pipeline now: one run of a pipeline at a time across worker replicas. */
  pipelineLeases: 'pipeline_leases',
} as const;

export type BucketName = (typeof BUCKETS)[keyof typeof BUCKETS];

/** Queue groups: N replicas of a service share the work of a subject. */
export const QUEUE_GROUPS = {
  discovery: 'discovery',
  hub: 'hub',
  agentAdapter: 'agent-adapter',
  webhookGateway: 'webhook-gateway',
  pipelineWorker: 'pipeline-worker',
} as const;

const TOKEN = /^[A-Za-z0-9_-]+$/;

function checkToken(token: string): string {
  if (!TOKEN.test(token)) throw new Error(`invalid subject token "${token}"`);
  return token;
}

/** A topic is one or more dot-separated tokens, no wildcards. */
export function checkTopic(topic: string): string {
  if (typeof topic !== 'string' || topic.length === 0 || topic.length > 200) {
    throw new Error('topic must be a non-empty string of at most 200 characters');
  }
  for (const token of topic.split('.')) checkToken(token);
  return topic;
}

export function isValidTopic(topic: unknown): topic is string {
  try {
    checkTopic(topic as string);
    return true;
  } catch {
    return false;
  }
}

/** Every fixed subject of the catalogue (the parameterised ones are `subjectFor`). */
export const CATALOGUE_SUBJECTS: readonly string[] = [
  INTEGRATION_EVENTS,
  INTEGRATION_ADMIN,
  INTEGRATION_REQUEST,
  SERVICE_EVENTS,
  PIPELINE_EVENTS,
  PIPELINE_ADMIN,
  SEARCH,
  AGENT,
  WEBHOOK_ADMIN,
  DISCOVERY,
  PING,
].flatMap((group) => Object.values(group));
