import { STREAMS, subjectFilter } from '@autoweave/contracts';
import type { NatsConnection } from '@autoweave/messaging';
import type { DeliveryInfo, Logger } from '@autoweave/observability';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { PipelineDefinitions } from '../pipelines/pipeline-definitions.js';
import type { PipelineRecord } from '../pipelines/pipeline-record.js';
import type { RunCoordinator } from '../runs/run-coordinator.js';

export interface EventTriggersDeps {
  nc: NatsConnection;
  definitions: PipelineDefinitions;
  coordinator: RunCoordinator;
  /** Quiet time after an event before its run is requested (a burst becomes one run). */
  debounceMs: number;
  logger: Logger;
  /** Told of every event pulled (observability's redeliveryMetrics). */
  redeliveries?: { seen(info: DeliveryInfo): void };
}

interface Consuming {
  filter: string;
  messages?: ConsumerMessages;
  stopped: boolean;
}

const STREAM = STREAMS.events.name;

/** The durable consumer of an event pipeline (one per pipeline, shared by every replica). */
export function consumerName(pipelineId: string): string {
  return `pipeline-${pipelineId}`;
}

/**
 * Event schedules: a durable JetStream consumer on EVENTS per event pipeline,
 * filtered to `events.<pattern>` and created when the pipeline is registered
 * (so no event published after the reply is missed). Every replica pulls from
 * it; each event reaches one replica, which acknowledges it and requests a
 * run. Requests are debounced, and a request that finds the pipeline running
 * queues one more run, so a burst of events becomes one or two runs.
 */
export class EventTriggers {
  private readonly js: JetStreamClient;
  private jsm?: Promise<JetStreamManager>;
  private readonly consuming = new Map<string, Consuming>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  private unsubscribe?: () => void;

  constructor(private readonly deps: EventTriggersDeps) {
    this.js = jetstream(deps.nc);
  }

  start(): void {
    this.unsubscribe = this.deps.definitions.onChange(() => this.sync());
    this.sync();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const c of this.consuming.values()) this.halt(c);
    this.consuming.clear();
  }

  /** Creates (or re-targets) the pipeline's durable consumer; called on register and update. */
  async prepare(record: PipelineRecord): Promise<void> {
    if (record.schedule.type !== 'event' || !record.schedule.event) {
      await this.remove(record.id);
      return;
    }
    const jsm = await this.manager();
    const name = consumerName(record.id);
    const filter = subjectFilter.events(record.schedule.event);
    const info = await jsm.consumers.info(STREAM, name).catch(() => undefined);
    if (info && info.config.filter_subject === filter) return;
    if (info) await jsm.consumers.delete(STREAM, name).catch(() => undefined);
    await jsm.consumers
      .add(STREAM, { durable_name: name, filter_subject: filter, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New, max_ack_pending: 1000 })
      .catch(async (err: Error) => {
        // Another replica may have created it first.
        const now = await jsm.consumers.info(STREAM, name).catch(() => undefined);
        if (now?.config.filter_subject !== filter) throw err;
      });
  }

  /** Deletes the pipeline's durable consumer (the pipeline was deleted or is no longer event-driven). */
  async remove(pipelineId: string): Promise<void> {
    const jsm = await this.manager();
    await jsm.consumers.delete(STREAM, consumerName(pipelineId)).catch(() => undefined);
  }

  /** Pulls for every event pipeline in the definitions; stops pulling for the others. */
  private sync(): void {
    if (this.stopped) return;
    const wanted = new Map<string, string>();
    for (const { record } of this.deps.definitions.all()) {
      if (record.schedule.type === 'event' && record.schedule.event) wanted.set(record.id, subjectFilter.events(record.schedule.event));
    }
    for (const [id, c] of this.consuming) {
      if (wanted.get(id) !== c.filter) {
        this.halt(c);
        this.consuming.delete(id);
      }
    }
    for (const [id, filter] of wanted) {
      if (this.consuming.has(id)) continue;
      const c: Consuming = { filter, stopped: false };
      this.consuming.set(id, c);
      void this.pull(id, c);
    }
  }

  private async pull(pipelineId: string, c: Consuming): Promise<void> {
    while (!c.stopped && !this.stopped) {
      try {
        const stored = this.deps.definitions.get(pipelineId);
        if (stored) await this.prepare(stored.record);
        const consumer = await this.js.consumers.get(STREAM, consumerName(pipelineId));
        c.messages = await consumer.consume({ max_messages: 100 });
        if (c.stopped) c.messages.stop();
        for await (const msg of c.messages) {
          this.deps.redeliveries?.seen(msg.info);
          msg.ack();
          this.bump(pipelineId);
        }
      } catch (err) {
        if (c.stopped || this.stopped) return;
        this.deps.logger.warn({ pipeline: pipelineId, err: (err as Error).message }, 'event trigger consumer failed; retrying');
      }
      if (!c.stopped && !this.stopped) await new Promise((resolve) => setTimeout(resolve, 1000).unref());
    }
  }

  private bump(pipelineId: string): void {
    if (this.timers.has(pipelineId)) return;
    const timer = setTimeout(() => {
      this.timers.delete(pipelineId);
      void this.deps.coordinator.request(pipelineId, 'event').catch((err: unknown) =>
        this.deps.logger.warn({ pipeline: pipelineId, err: (err as Error).message }, 'event-triggered run could not be requested'),
      );
    }, this.deps.debounceMs);
    this.timers.set(pipelineId, timer);
  }

  private halt(c: Consuming): void {
    c.stopped = true;
    c.messages?.stop();
  }

  private manager(): Promise<JetStreamManager> {
    return (this.jsm ??= jetstreamManager(this.deps.nc));
  }
}
