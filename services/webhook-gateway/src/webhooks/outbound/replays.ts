import { randomBytes } from 'node:crypto';
import { AppError, EVENTS_PREFIX, STREAMS, type DeliveryAttempt, type ReplaySinceResult } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { WebhookEndpoint } from '../endpoints.js';
import { attemptRecord, sequenceOf, type AttemptRunner, type OutboundEvent } from './attempt-runner.js';
import type { AttemptRecorder } from './attempt-recorder.js';
import { ackWaitMs, filterSubjectFor, replayConsumerName, type DeliverySettings } from './consumer-plan.js';
import { isoFromNanos } from './payload.js';
import { scanStream } from './stream-scan.js';
import { TopicMatcher } from './topic-matcher.js';

const NANOS_PER_MS = 1_000_000;
const RESTART_DELAY_MS = 1000;
const UNTIL = /until seq (\d+)/;

export interface ReplayDeps {
  js: JetStreamClient;
  jsm: JetStreamManager;
  runner: AttemptRunner;
  recorder: AttemptRecorder;
  logger: Logger;
  settings: Pick<DeliverySettings, 'ackMarginMs'>;
  /** The endpoint as it is now (replays use the current url, keys and headers). */
  endpoint(id: string): WebhookEndpoint | undefined;
}

/**
 * Deliveries again, on request. `replayOne` makes one attempt now and answers
 * with its record. `replaySince` queues every matching event since a time in a
 * durable consumer of its own (`webhook-replay_<id>_<job>`, its end sequence in
 * the description): one attempt per event, one event at a time in stream
 * order, shared by replicas and resumed after a restart, deleted when done.
 * Replays skip the breaker (an operator wants to know whether the receiver is
 * back) but not the rate limit, and neither retry nor dead-letter: a failed
 * replay is recorded and can be replayed again.
 */
export class Replays {
  private readonly jobs = new Map<string, ReplayJob>();

  constructor(private readonly deps: ReplayDeps) {}

  async replayOne(endpoint: WebhookEndpoint, msgId: string): Promise<DeliveryAttempt> {
    const seq = sequenceOf(msgId);
    const stored = seq === undefined ? null : await this.deps.jsm.streams.getMessage(STREAMS.events.name, { seq });
    if (!stored) throw new AppError('NOT_FOUND', `no event ${msgId} (it may be older than the EVENTS retention)`, { msgId });
    const topic = stored.subject.slice(EVENTS_PREFIX.length + 1);
    if (!new TopicMatcher(endpoint.events).matches(topic)) {
      throw new AppError('NOT_FOUND', `event ${msgId} (${topic}) is not one integration ${endpoint.id} subscribes to`, { msgId, topic });
    }
    const event: OutboundEvent = { seq: stored.seq, topic, timestamp: stored.time.toISOString(), data: stored.data };
    const options = { attempt: 1, trigger: 'replay' as const, bypassBreaker: true };
    const attempt = await this.deps.runner.run(endpoint, event, options);
    const record = attemptRecord(endpoint, event, options, attempt, attempt.delivered ? 'succeeded' : 'failed');
    this.deps.recorder.record(record);
    return record;
  }

  async replaySince(endpoint: WebhookEndpoint, since: Date): Promise<ReplaySinceResult> {
    if (since.getTime() > Date.now()) throw new AppError('VALIDATION', 'since is in the future', { field: 'since' });
    const endSeq = (await this.deps.jsm.streams.info(STREAMS.events.name)).state.last_seq;
    const filter = filterSubjectFor(endpoint.events);
    const queued = await this.count(endpoint, filter, since, endSeq);
    if (queued === 0) return { integrationId: endpoint.id, queued: 0 };
    const name = replayConsumerName(endpoint.id, randomBytes(4).toString('hex'));
    await this.deps.jsm.consumers.add(STREAMS.events.name, {
      durable_name: name,
      description: `replay of ${endpoint.id} until seq ${endSeq}`,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: since.toISOString(),
      filter_subject: filter,
      max_ack_pending: 1,
      max_deliver: -1,
      ack_wait: ackWaitMs(endpoint, this.deps.settings) * NANOS_PER_MS,
    });
    this.run(endpoint.id, name, endSeq);
    return { integrationId: endpoint.id, queued };
  }

  /** Runs a replay found on EVENTS (after a restart), unless this replica runs it already. */
  resume(integrationId: string, name: string, description: string | undefined): void {
    const until = UNTIL.exec(description ?? '');
    if (!until) return;
    this.run(integrationId, name, Number(until[1]));
  }

  /** Stops this replica's replays of an endpoint (disabled); their consumers stay for later. */
  async stopFor(integrationId: string): Promise<void> {
    await Promise.all([...this.jobs.values()].filter((j) => j.integrationId === integrationId).map((j) => j.stop()));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((j) => j.stop()));
  }

  private run(integrationId: string, name: string, endSeq: number): void {
    if (this.jobs.has(name)) return;
    const job = new ReplayJob(integrationId, name, endSeq, this.deps, () => this.jobs.delete(name));
    this.jobs.set(name, job);
    job.start();
  }

  /** Matching events from `since` up to endSeq: a scan of their subjects (headers only). */
  private async count(endpoint: WebhookEndpoint, filter: string, since: Date, endSeq: number): Promise<number> {
    const matcher = new TopicMatcher(endpoint.events);
    let count = 0;
    await scanStream(this.deps.js, STREAMS.events.name, { filter, startTime: since, endSeq, headersOnly: true }, (msg) => {
      if (matcher.matches(msg.subject.slice(EVENTS_PREFIX.length + 1))) count++;
    });
    return count;
  }
}

/** One replay-since, on this replica: one event at a time until its end sequence, then its consumer is deleted. */
class ReplayJob {
  private messages?: ConsumerMessages;
  private stopped = false;
  private loop?: Promise<void>;
  private matcher?: { endpoint: WebhookEndpoint; matcher: TopicMatcher };

  constructor(
    readonly integrationId: string,
    private readonly name: string,
    private readonly endSeq: number,
    private readonly deps: ReplayDeps,
    private readonly onEnd: () => void,
  ) {}

  start(): void {
    this.loop = this.runLoop().finally(this.onEnd);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const closing = this.messages?.close().catch(() => undefined);
    await this.loop;
    await closing;
  }

  private async runLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        const consumer = await this.deps.js.consumers.get(STREAMS.events.name, this.name);
        this.messages = await consumer.consume({ max_messages: 1, abort_on_missing_resource: true });
        for await (const msg of this.messages) {
          if (this.stopped) break;
          if (await this.handle(msg)) {
            this.stopped = true;
            // Not awaited: close() resolves only when this loop reads on to its stop marker.
            void this.messages.close().catch(() => undefined);
            await this.deps.jsm.consumers.delete(STREAMS.events.name, this.name).catch(() => undefined);
            this.deps.logger.info({ integrationId: this.integrationId, replay: this.name }, 'replay finished');
            return;
          }
        }
      } catch (err) {
        if (this.stopped) return;
        if (/consumer not found/i.test((err as Error).message)) return;
        this.deps.logger.warn({ replay: this.name, err: (err as Error).message }, 'replay consumer unavailable; retrying');
      }
      if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, RESTART_DELAY_MS));
    }
  }

  /** Attempts one event; true when the replay is complete. */
  private async handle(msg: JsMsg): Promise<boolean> {
    if (msg.seq > this.endSeq) return true;
    const endpoint = this.deps.endpoint(this.integrationId);
    if (!endpoint?.url) return true;
    const topic = msg.subject.slice(EVENTS_PREFIX.length + 1);
    if (this.matcherFor(endpoint).matches(topic)) {
      const event: OutboundEvent = { seq: msg.seq, topic, timestamp: isoFromNanos(msg.timestampNanos), data: msg.data };
      const options = { attempt: msg.info.deliveryCount, trigger: 'replay' as const, bypassBreaker: true, keepAlive: () => msg.working() };
      const attempt = await this.deps.runner.run(endpoint, event, options);
      this.deps.recorder.record(attemptRecord(endpoint, event, options, attempt, attempt.delivered ? 'succeeded' : 'failed'));
    }
    await msg.ackAck().catch(() => undefined);
    return msg.seq >= this.endSeq || msg.info.pending === 0;
  }

  private matcherFor(endpoint: WebhookEndpoint): TopicMatcher {
    if (this.matcher?.endpoint !== endpoint) this.matcher = { endpoint, matcher: new TopicMatcher(endpoint.events) };
    return this.matcher.matcher;
  }
}
