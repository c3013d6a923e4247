import { AppError, subjectFor, type Envelope } from '@autoweave/contracts';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { encodeJson } from './codec.js';
import { outgoingHeaders, type Bus, type RequestOptions } from './bus.js';
import { fromNatsError } from './nats-errors.js';

export interface PublishReceipt {
  stream: string;
  seq: number;
  duplicate: boolean;
}

/**
 * The seed's EventBus. `publish('user.created', data)` persists the event in the
 * EVENTS stream on `events.user.created` (webhook integrations and pipelines
 * consume from there); `request(topic, data)` asks whichever service answers
 * the catalogue subject `topic` and resolves to its envelope.
 */
export class EventBus {
  private readonly js: JetStreamClient;

  constructor(private readonly bus: Bus) {
    this.js = jetstream(bus.nc);
  }

  async publish(topic: string, data: unknown, options: { msgId?: string } = {}): Promise<PublishReceipt> {
    let subject: string;
    try {
      subject = subjectFor.event(topic);
    } catch (err) {
      throw new AppError('VALIDATION', `invalid event topic: ${(err as Error).message}`, { topic });
    }
    try {
      const ack = await this.js.publish(subject, encodeJson(data), { headers: outgoingHeaders(), msgID: options.msgId });
      return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
    } catch (err) {
      throw fromNatsError(err, subject);
    }
  }

  request<T>(topic: string, data: unknown, options: RequestOptions = {}): Promise<Envelope<T>> {
    return this.bus.request<T>(topic, data, options);
  }
}
