import { STREAMS, subjectFor, type DeadLetter } from '@autoweave/contracts';
import { encodeJson, type NatsConnection } from '@autoweave/messaging';
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';

/** A dead letter as published (the stream sequence is added on read). */
export type DeadLetterEntry = Omit<DeadLetter, 'seq'>;

const STREAM = STREAMS.pipelineDlq.name;
/** Most entries one read returns. */
const MAX_READ = 10_000;

/**
 * The PIPELINE_DLQ stream: items a pipeline could not process, one message
 * per item on `pipeline.dlq.<pipelineId>` with the error and the item as the
 * source read it. Publishes wait for JetStream's acknowledgement, so a
 * batch's dead letters are stored before its checkpoint moves past them.
 */
export class DeadLetterQueue {
  private readonly js: JetStreamClient;
  private jsm?: Promise<JetStreamManager>;

  constructor(private readonly nc: NatsConnection) {
    this.js = jetstream(nc);
  }

  async add(entry: DeadLetterEntry): Promise<number> {
    const ack = await this.js.publish(subjectFor.pipelineDeadLetter(entry.pipelineId), encodeJson(entry));
    return ack.seq;
  }

  /** The oldest `limit` dead letters of a pipeline. */
  async list(pipelineId: string, limit: number): Promise<DeadLetter[]> {
    const wanted = Math.min(limit, MAX_READ, await this.count(pipelineId));
    if (wanted === 0) return [];
    const consumer = await this.js.consumers.get(STREAM, { filter_subjects: subjectFor.pipelineDeadLetter(pipelineId), deliver_policy: DeliverPolicy.All });
    const out: DeadLetter[] = [];
    try {
      const messages = await consumer.fetch({ max_messages: wanted, expires: 5000 });
      for await (const msg of messages) {
        out.push({ ...msg.json<DeadLetterEntry>(), seq: msg.seq });
        if (out.length >= wanted) break;
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
    return out;
  }

  async count(pipelineId: string): Promise<number> {
    const subject = subjectFor.pipelineDeadLetter(pipelineId);
    const info = await (await this.manager()).streams.info(STREAM, { subjects_filter: subject });
    return info.state.subjects?.[subject] ?? 0;
  }

  /** Removes one entry (after a successful retry); false when it was already gone. */
  async remove(seq: number): Promise<boolean> {
    return (await this.manager()).streams.deleteMessage(STREAM, seq, false).catch(() => false);
  }

  async purge(pipelineId: string): Promise<void> {
    await (await this.manager()).streams.purge(STREAM, { filter: subjectFor.pipelineDeadLetter(pipelineId) });
  }

  private manager(): Promise<JetStreamManager> {
    return (this.jsm ??= jetstreamManager(this.nc));
  }
}
