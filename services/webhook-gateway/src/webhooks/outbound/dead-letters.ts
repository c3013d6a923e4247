import { subjectFor } from '@autoweave/contracts';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { OutboundEvent } from './attempt-runner.js';
import { webhookId } from './attempt-runner.js';
import { webhookBody } from './payload.js';

/** A WEBHOOK_DLQ entry: an event whose last attempt failed, with why. */
export interface DeadLetter {
  integrationId: string;
  msgId: string;
  topic: string;
  attempts: number;
  lastError: string;
  lastStatus?: number;
  at: string;
  /** The Standard Webhooks payload that was being delivered: {type, timestamp, data}. */
  event: { type: string; timestamp: string; data: unknown };
}

/**
 * Publishes dead letters to WEBHOOK_DLQ and waits for JetStream's ack: the
 * delivery is ended (term) only once the dead letter is stored. The
 * Nats-Msg-Id (`<integration>:<msgId>`) keeps a message dead-lettered by two
 * replicas at once stored once.
 */
export class DeadLetters {
  constructor(private readonly js: JetStreamClient) {}

  async publish(integrationId: string, event: OutboundEvent, attempts: number, lastError: string, lastStatus?: number): Promise<void> {
    const msgId = webhookId(event.seq);
    const head = JSON.stringify({
      integrationId,
      msgId,
      topic: event.topic,
      attempts,
      lastError,
      ...(lastStatus === undefined ? {} : { lastStatus }),
      at: new Date().toISOString(),
    } satisfies Omit<DeadLetter, 'event'>);
    // The event goes in as the payload bytes, not parsed and serialised again.
    const body = Buffer.concat([Buffer.from(`${head.slice(0, -1)},"event":`), webhookBody(event.topic, event.timestamp, event.data), Buffer.from('}')]);
    await this.js.publish(subjectFor.webhookDeadLetter(integrationId), body, { msgID: `${integrationId}:${msgId}` });
  }
}
