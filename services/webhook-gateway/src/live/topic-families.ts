import { LIVE_TOPIC_FAMILIES, subjectMatches, type LiveTopicFamily } from '@autoweave/contracts';
import { grants, type Scope } from '../auth/scopes.js';
import { overlaps } from './topic-pattern.js';

/** A group of event subjects relayed over `/ws`, and the scope a key needs to see it. */
export interface TopicFamily {
  name: LiveTopicFamily;
  /** NATS subjects (wildcards allowed) the fan-in subscribes to while a client is interested. */
  subjects: readonly string[];
  scope: Scope;
}

/**
 * Which scope sees which family. The rule: a live event is visible to the
 * keys that could read the same facts over the REST API. Integration and
 * pipeline state, call outcomes (the logs and metrics routes) and delivery
 * attempts (`GET .../deliveries`) are `read`. User events carry application
 * data no REST route returns to anyone, so they need `admin`.
 */
const SCOPE_OF: Record<LiveTopicFamily, Scope> = {
  integrations: 'read',
  integrationCalls: 'read',
  pipelines: 'read',
  webhookDeliveries: 'read',
  services: 'read',
  userEvents: 'admin',
};

export const TOPIC_FAMILIES: readonly TopicFamily[] = (Object.keys(LIVE_TOPIC_FAMILIES) as LiveTopicFamily[]).map((name) => ({
  name,
  subjects: LIVE_TOPIC_FAMILIES[name],
  scope: SCOPE_OF[name],
}));

/** The families whose subjects a pattern can match: those it may ever receive events from. */
export function familiesOverlapping(pattern: string): TopicFamily[] {
  return TOPIC_FAMILIES.filter((family) => family.subjects.some((subject) => overlaps(pattern, subject)));
}

export function visibleTo(family: TopicFamily, scopes: readonly Scope[]): boolean {
  return grants(scopes, family.scope);
}

/** The family a concrete subject belongs to (the first whose subjects match it). */
export function familyOfSubject(subject: string): TopicFamily | undefined {
  return TOPIC_FAMILIES.find((family) => family.subjects.some((pattern) => subjectMatches(pattern, subject)));
}
