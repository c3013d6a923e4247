import { subjectFilter } from '@autoweave/contracts';
import { AckPolicy, DeliverPolicy, type ConsumerConfig } from '@nats-io/jetstream';
import type { WebhookEndpoint } from '../endpoints.js';

/**
 * Names and settings of the durable JetStream consumers on EVENTS that feed
 * outbound webhooks. One delivery consumer per endpoint (shared by every
 * gateway replica), plus one per bulk replay while it runs.
 */
export const DELIVERY_CONSUMER_PREFIX = 'webhook-delivery_';
export const REPLAY_CONSUMER_PREFIX = 'webhook-replay_';

const NANOS_PER_MS = 1_000_000;

export function deliveryConsumerName(integrationId: string): string {
  return DELIVERY_CONSUMER_PREFIX + integrationId;
}

export function replayConsumerName(integrationId: string, jobId: string): string {
  return `${REPLAY_CONSUMER_PREFIX}${integrationId}_${jobId}`;
}

/** The integration a consumer of ours belongs to, and what it is for; undefined for anybody else's consumer. */
export function parseConsumerName(name: string): { kind: 'delivery' | 'replay'; integrationId: string } | undefined {
  if (name.startsWith(DELIVERY_CONSUMER_PREFIX)) return { kind: 'delivery', integrationId: name.slice(DELIVERY_CONSUMER_PREFIX.length) };
  if (name.startsWith(REPLAY_CONSUMER_PREFIX)) {
    const rest = name.slice(REPLAY_CONSUMER_PREFIX.length);
    const cut = rest.lastIndexOf('_');
    if (cut > 0) return { kind: 'replay', integrationId: rest.slice(0, cut) };
  }
  return undefined;
}

/**
 * The server-side filter. nats-server 2.9 takes one filter subject per
 * consumer: one pattern is filtered by the server (`events.<pattern>`); several
 * take `events.>` and the gateway's TopicMatcher picks the matching events.
 */
export function filterSubjectFor(patterns: readonly string[]): string {
  const distinct = [...new Set(patterns)];
  if (distinct.length === 1) return subjectFilter.events(distinct[0]!);
  return subjectFilter.events('>');
}

/** True when the server filter alone selects exactly the endpoint's events. */
export function filterIsExact(patterns: readonly string[]): boolean {
  return new Set(patterns).size === 1;
}

export interface DeliverySettings {
  /** Messages in flight per endpoint and replica (unordered endpoints). */
  concurrency: number;
  /** Unacknowledged messages per endpoint across replicas, counting those waiting for a retry. */
  maxAckPending: number;
  /** Added to twice the endpoint's timeout to make the ack wait. */
  ackMarginMs: number;
}

/**
 * How long JetStream waits for an ack before delivering a message again: a
 * message may wait in the client's buffer for about one attempt before its own
 * attempt starts, so twice the endpoint's timeout plus a margin.
 */
export function ackWaitMs(endpoint: Pick<WebhookEndpoint, 'timeoutMs'>, settings: Pick<DeliverySettings, 'ackMarginMs'>): number {
  return 2 * endpoint.timeoutMs + settings.ackMarginMs;
}

/** The settings of a delivery consumer that can change after it was created. */
export function mutableConsumerConfig(endpoint: WebhookEndpoint, settings: DeliverySettings): Pick<ConsumerConfig, 'filter_subject' | 'max_ack_pending' | 'ack_wait'> {
  return {
    filter_subject: filterSubjectFor(endpoint.events),
    // Ordered: one message outstanding at a time across all replicas; the next is delivered only after it is acked or dead.
    max_ack_pending: endpoint.ordered ? 1 : settings.maxAckPending,
    ack_wait: ackWaitMs(endpoint, settings) * NANOS_PER_MS,
  };
}

/**
 * A new delivery consumer. It starts at `startTime` (when the endpoint's
 * configuration took effect), so an event published right after registration
 * is not missed while the gateway catches up; without one, at new events.
 * Redeliveries are unlimited on the server: the gateway counts attempts and
 * ends a message itself (dead letter, then term).
 */
export function newDeliveryConsumer(endpoint: WebhookEndpoint, settings: DeliverySettings, startTime: string | undefined): Partial<ConsumerConfig> {
  return {
    durable_name: deliveryConsumerName(endpoint.id),
    description: `outbound webhook deliveries of integration ${endpoint.id}`,
    ack_policy: AckPolicy.Explicit,
    max_deliver: -1,
    ...(startTime ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: startTime } : { deliver_policy: DeliverPolicy.New }),
    ...mutableConsumerConfig(endpoint, settings),
  };
}
