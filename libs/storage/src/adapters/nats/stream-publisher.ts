import { createHash } from 'node:crypto';
import { AppError } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Item } from '../../types.js';
import { subjectToken, type NatsConfig } from './nats.config.js';

/** JSON with keys sorted at every level: the same item always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The Nats-Msg-Id of an item: from the subject, the key fields and the
 * content. The same item published again (a retried batch) is dropped by the
 * stream within its duplicate window; a changed item with the same key is a
 * new message (an id of the key alone would drop a real update in the window).
 */
export function messageId(subject: string, item: Item, keyFields: string[] | undefined, index: number): string {
  const key = (keyFields ?? []).map((field) => {
    const value = item[field];
    if (value === undefined || value === null) throw new AppError('VALIDATION', `item ${index} has no value for key field ${field}`, { field, index });
    return value;
  });
  return createHash('sha256').update(`${subject}\u0000${canonicalJson(key)}\u0000${canonicalJson(item)}`).digest('hex').slice(0, 40);
}

/** Publishes each item as JSON with JetStream, awaiting every ack of the batch. */
export class StreamPublisher {
  private readonly js: JetStreamClient;

  constructor(
    nc: NatsConnection,
    private readonly config: NatsConfig,
    private readonly logger: Logger,
  ) {
    this.js = jetstream(nc);
  }

  async write(batch: Item[]): Promise<number> {
    const { config } = this;
    // Everything is checked before anything is published: a bad item fails the batch, not half of it.
    const messages = batch.map((item, index) => {
      const subject = config.subjectField ? `${config.subject}.${subjectToken(item[config.subjectField], config.subjectField, index)}` : config.subject;
      return { subject, data: JSON.stringify(item), msgID: messageId(subject, item, config.keyFields, index) };
    });
    const expect = config.stream ? { expect: { streamName: config.stream } } : {};
    let acks;
    try {
      acks = await Promise.all(messages.map((m) => this.js.publish(m.subject, m.data, { msgID: m.msgID, ...expect })));
    } catch (err) {
      throw publishError(err, config.subject);
    }
    const duplicates = acks.filter((a) => a.duplicate).length;
    if (duplicates > 0) this.logger.debug({ subject: config.subject, duplicates }, 'stream dropped repeated messages');
    return acks.length;
  }
}

function publishError(err: unknown, subject: string): AppError {
  const message = (err as Error).message ?? String(err);
  const name = (err as { name?: string }).name;
  // Nothing answers a JetStream publish to a subject no stream has; nats.js reports that as JetStreamNotEnabled.
  if (name === 'JetStreamNotEnabled' || name === 'NoRespondersError' || /no responders|no stream/i.test(message)) {
    return new AppError('VALIDATION', `no JetStream stream captures the subject ${subject}`, { field: 'subject' });
  }
  if (/expected stream|wrong last/i.test(message)) return new AppError('VALIDATION', `${subject} is not captured by the configured stream: ${message}`, { field: 'stream' });
  if (/timeout/i.test(message)) return new AppError('TIMEOUT', `publishing to ${subject}: ${message}`);
  return new AppError('UNAVAILABLE', `publishing to ${subject}: ${message}`);
}
