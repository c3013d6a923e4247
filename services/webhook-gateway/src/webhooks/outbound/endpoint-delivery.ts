import { EVENTS_PREFIX, STREAMS } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { WebhookEndpoint } from '../endpoints.js';
import { AckBatcher } from './ack-batcher.js';
import { attemptRecord, type AttemptRunner, type OutboundEvent } from './attempt-runner.js';
import type { AttemptRecorder } from './attempt-recorder.js';
import type { DeadLetters } from './dead-letters.js';
import type { DeliveryMetrics } from './delivery-metrics.js';
import { isoFromMs } from './payload.js';
import { retryDecision } from './retry-delay.js';
import { TopicMatcher } from './topic-matcher.js';

/** When the dead letter cannot be stored, the message is tried again after this. */
const DEAD_LETTER_RETRY_MS = 5000;
/** Pause before pulling again after the consumer could not be reached. */
const RESTART_DELAY_MS = 1000;

export interface EndpointDeliveryDeps {
  js: JetStreamClient;
  runner: AttemptRunner;
  recorder: AttemptRecorder;
  deadLetters: DeadLetters;
  metrics: DeliveryMetrics;
  logger: Logger;
  /** The receiver answered 410 Gone. */
  onGone(endpoint: WebhookEndpoint): void;
}

/**
 * Delivers one endpoint's events from its durable consumer on EVENTS: pulls
 * up to `concurrency` messages (1 when ordered), runs one attempt per
 * message, then acks (2xx), naks with the retry delay, or dead-letters and
 * terms the message after its last attempt. The attempt number is JetStream's
 * delivery count, so it survives restarts and is shared by replicas.
 */
export class EndpointDelivery {
  private endpoint: WebhookEndpoint;
  private matcher: TopicMatcher;
  private messages?: ConsumerMessages;
  private stopped = false;
  private loop?: Promise<void>;
  private active = 0;
  private wake?: () => void;
  /** Resolves stop()'s wait once no attempt is in flight. */
  private idle?: () => void;
  private readonly acks = new AckBatcher();
  readonly concurrency: number;
  /** Whether this delivery runs one message at a time; a change of `ordered` needs a new EndpointDelivery. */
  readonly ordered: boolean;

  constructor(
    private readonly consumerName: string,
    endpoint: WebhookEndpoint,
    concurrency: number,
    private readonly deps: EndpointDeliveryDeps,
  ) {
    this.endpoint = endpoint;
    this.matcher = new TopicMatcher(endpoint.events);
    this.ordered = endpoint.ordered;
    this.concurrency = endpoint.ordered ? 1 : concurrency;
  }

  /** A new revision of the endpoint (url, headers, keys, patterns, schedule): used from the next message on. */
  update(endpoint: WebhookEndpoint): void {
    if (endpoint.events.join('\n') !== this.endpoint.events.join('\n')) this.matcher = new TopicMatcher(endpoint.events);
    this.endpoint = endpoint;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops pulling, hands back what was pulled but not started, and waits for attempts in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    // close() resolves only once the loop has read up to its stop marker, so the loop must not be left waiting for a slot.
    const closing = this.messages?.close().catch(() => undefined);
    this.wake?.();
    await this.loop;
    await closing;
    if (this.active > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    this.acks.flush();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const consumer = await this.deps.js.consumers.get(STREAMS.events.name, this.consumerName);
        if (this.stopped) break;
        // Pulls of two rounds of attempts: fewer pull requests; a pulled message waits at most about two
        // attempts before its own starts, which the ack wait (2 x timeout + margin) covers.
        // The next pull goes out when a quarter of the last is still due (not nats.js's default of three
        // quarters): three times fewer pull requests for the gateway and nats-server to handle.
        this.messages = await consumer.consume(
          this.ordered ? { max_messages: 1 } : { max_messages: 2 * this.concurrency, threshold_messages: Math.max(1, Math.floor(this.concurrency / 2)) },
        );
        for await (const msg of this.messages) {
          if (this.stopped) {
            // Pulled but not attempted: back to JetStream at once, for another replica or the next start.
            msg.nak();
            continue;
          }
          // Only a full house waits: no promise per message for a free slot.
          if (this.active >= this.concurrency) await this.slot();
          if (this.stopped) {
            msg.nak();
            continue;
          }
          this.active++;
          // handle() releases the slot itself and never rejects.
          void this.handle(msg);
        }
      } catch (err) {
        if (this.stopped) break;
        this.deps.logger.warn({ integrationId: this.endpoint.id, err: (err as Error).message }, 'webhook delivery consumer unavailable; retrying');
      }
      if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, RESTART_DELAY_MS));
    }
  }

  private async slot(): Promise<void> {
    while (this.active >= this.concurrency && !this.stopped) await new Promise<void>((resolve) => (this.wake = resolve));
  }

  private release(): void {
    this.active--;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
    if (this.active === 0) {
      const idle = this.idle;
      this.idle = undefined;
      idle?.();
    }
  }

  /** One message: an attempt, then ack, nak or dead letter and term. Always releases its slot; never rejects. */
  private async handle(msg: JsMsg): Promise<void> {
    const endpoint = this.endpoint;
    try {
      const topic = msg.subject.slice(EVENTS_PREFIX.length + 1);
      if (!this.matcher.matches(topic)) {
        // Under the shared `events.>` filter, or a pattern removed while the message was on its way.
        this.acks.defer(() => msg.ack());
        return;
      }
      const info = msg.info;
      this.deps.metrics.received(info);
      // Milliseconds from the number form of the nanoseconds: no BigInt per message.
      const event: OutboundEvent = { seq: info.streamSequence, topic, timestamp: isoFromMs(Math.floor(info.timestampNanos / 1e6)), data: msg.data };
      const options = { attempt: info.deliveryCount, trigger: 'delivery' as const, keepAlive: () => msg.working() };
      const attempt = await this.deps.runner.run(endpoint, event, options);
      this.deps.metrics.attempt(attempt.delivered ? 'succeeded' : 'failed', attempt.result.latencyMs);
      if (attempt.delivered) {
        this.acks.defer(() => msg.ack());
        this.deps.recorder.record(attemptRecord(endpoint, event, options, attempt, 'succeeded'));
        return;
      }
      if (attempt.gone) this.deps.onGone(endpoint);
      const decision = retryDecision(endpoint.retryScheduleMs, options.attempt, attempt.retryAfterMs);
      if (decision.retry) {
        this.acks.defer(() => msg.nak(decision.delayMs));
        const nextAttemptAt = new Date(Date.now() + decision.delayMs).toISOString();
        this.deps.recorder.record(attemptRecord(endpoint, event, options, attempt, 'failed', { nextAttemptAt }));
        return;
      }
      const failed = attemptRecord(endpoint, event, options, attempt, 'dead');
      try {
        await this.deps.deadLetters.publish(endpoint.id, event, options.attempt, failed.error ?? 'failed', attempt.status);
      } catch (err) {
        this.acks.defer(() => msg.nak(DEAD_LETTER_RETRY_MS));
        const nextAttemptAt = new Date(Date.now() + DEAD_LETTER_RETRY_MS).toISOString();
        const error = `could not store the dead letter (${(err as Error).message})`;
        this.deps.recorder.record(attemptRecord(endpoint, event, options, attempt, 'failed', { nextAttemptAt, error }));
        return;
      }
      this.acks.defer(() => msg.term());
      this.deps.metrics.dead();
      this.deps.recorder.record(failed);
    } catch (err) {
      // A bug, not a receiver failure: leave the message to JetStream's redelivery.
      this.deps.logger.error({ integrationId: endpoint.id, msgSeq: msg.seq, err: (err as Error).message }, 'webhook delivery failed unexpectedly');
      msg.nak(DEAD_LETTER_RETRY_MS);
    } finally {
      this.release();
    }
  }
}
