/**
 * The live topics the pages watch. These are NATS subjects from
 * libs/contracts/src/subjects.ts (the catalogue); the browser bundle does not
 * import that package at runtime (it would bring class-validator along: about
 * 70 kB more bundle), so the few it needs are repeated here, and
 * `topics.test.ts` (jest, which may import the package) fails if one drifts.
 */
export const TOPICS = {
  integrationCreated: 'integration.created',
  integrationUpdated: 'integration.updated',
  integrationDeleted: 'integration.deleted',
  integrationFailed: 'integration.failed',
  integrationHealthChanged: 'integration.health.changed',
  integrationOpenapiUpdated: 'integration.openapi.updated',
  moduleDiscovered: 'integration.module.discovered',
  pipelineExecution: 'pipeline.execution.*',
  pipelineDataWritten: 'pipeline.data.written',
} as const;

/** Lifecycle and health of every integration (not the per-call events). */
export const INTEGRATION_CHANGES = [
  TOPICS.integrationCreated,
  TOPICS.integrationUpdated,
  TOPICS.integrationDeleted,
  TOPICS.integrationFailed,
  TOPICS.integrationHealthChanged,
  TOPICS.integrationOpenapiUpdated,
];

export const callTopics = (id: string): string[] => [`integration.${id}.request`, `integration.${id}.error`];
export const deliveryTopic = (id: string): string => `webhook.delivery.${id}.*`;
