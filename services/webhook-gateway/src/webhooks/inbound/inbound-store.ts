import { subjectFor } from '@autoweave/contracts';
import { outgoingHeaders } from '@autoweave/messaging';
import { PubHeaders } from '@nats-io/jetstream';
import type { JetStreamPublisher } from './jetstream-publisher.js';

/** Headers kept with a stored webhook (and passed on when it is republished). */
export const STORED_HEADERS = {
  webhookId: 'webhook-id',
  webhookTimestamp: 'webhook-timestamp',
  contentType: 'content-type',
} as const;

/**
 * The Nats-Msg-Id of a webhook in WEBHOOKS_IN and of its republished event in
 * EVENTS. JetStream deduplicates per stream, not per subject, and webhook-ids
 * are unique per sender only: scoping by integration keeps two senders that
 * happen to use the same id from swallowing each other's webhooks.
 */
export function dedupeKey(integrationId: string, webhookId: string): string {
  return `${integrationId}:${webhookId}`;
}

export interface InboundWebhook {
  integrationId: string;
  type: string;
  webhookId: string;
  timestamp: string;
  contentType: string | undefined;
  /** The exact bytes received: what was signed, and what subscribers get. */
  body: Buffer;
}

/** Persists verified webhooks in WEBHOOKS_IN; resolves once JetStream has acknowledged. */
export class InboundStore {
  constructor(private readonly publisher: JetStreamPublisher) {}

  /** `duplicate`: JetStream already holds this webhook-id for this integration (a replay); nothing new was stored. */
  async persist(webhook: InboundWebhook): Promise<{ duplicate: boolean }> {
    const subject = subjectFor.webhookIn(webhook.integrationId, webhook.type);
    const headers = outgoingHeaders();
    headers.set(PubHeaders.MsgIdHdr, dedupeKey(webhook.integrationId, webhook.webhookId));
    headers.set(STORED_HEADERS.webhookId, webhook.webhookId);
    headers.set(STORED_HEADERS.webhookTimestamp, webhook.timestamp);
    if (webhook.contentType) headers.set(STORED_HEADERS.contentType, webhook.contentType);
    // Failures are UNAVAILABLE or TIMEOUT (503/504): the sender retries later.
    const ack = await this.publisher.publish(subject, webhook.body, headers);
    return { duplicate: ack.duplicate };
  }
}
