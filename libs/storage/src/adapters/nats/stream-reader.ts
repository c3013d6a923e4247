import { AppError } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager, type JsMsg, type StreamInfo } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { CursorOptions, Item, SourceBatch, SourceCursor } from '../../types.js';
import type { NatsConfig } from './nats.config.js';

/** How long one fetch waits for messages that were counted but not delivered (removed by limits meanwhile). */
const FETCH_EXPIRES_MS = 5_000;
/** A lag probe consumer left behind (its delete failed) is removed by the server after this long unused. */
const PROBE_INACTIVE_MS = 10_000;
const decoder = new TextDecoder();

/** A stream message as an item: its JSON object plus where it came from. */
export function messageItem(m: Pick<JsMsg, 'data' | 'subject' | 'seq' | 'time'>): Item {
  const meta = { _subject: m.subject, _seq: m.seq, _time: m.time.toISOString() };
  const text = decoder.decode(m.data);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { text, ...meta };
  }
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? { ...(data as Item), ...meta } : { value: data, ...meta };
}

/** The stream a filter reads: the configured one, else the one whose subjects capture it. */
export async function streamFor(nc: NatsConnection, config: NatsConfig): Promise<string> {
  if (config.stream) return config.stream;
  const jsm = await jetstreamManager(nc);
  try {
    return await jsm.streams.find(config.subject);
  } catch {
    throw new AppError('VALIDATION', `no JetStream stream captures the subject ${config.subject} (set stream, or use a subject a stream has)`, { field: 'subject' });
  }
}

function streamInfo(jsm: JetStreamManager, stream: string): Promise<StreamInfo> {
  return jsm.streams.info(stream).catch(() => {
    throw new AppError('VALIDATION', `stream ${stream} does not exist`, { field: 'stream' });
  });
}

/**
 * Reads a stream by subject filter with an ordered (ephemeral, unacked)
 * consumer starting after the stored stream sequence. A run reads what the
 * stream holds when it starts, in batches of up to batchSize, and ends: a
 * busy stream does not keep one run going forever. Position: {seq}, the
 * stream sequence of the last message handed on.
 */
export class StreamReader implements SourceCursor {
  private closed = false;
  private deleteConsumer?: () => Promise<unknown>;
  /** The stream sequence read up to: the stored one, then the last message handed on. */
  private after: number;

  constructor(
    private readonly nc: NatsConnection,
    private readonly config: NatsConfig,
    private readonly options: CursorOptions,
    private readonly logger: Logger,
  ) {
    const seq = options.position?.seq;
    this.after = typeof seq === 'number' && Number.isInteger(seq) ? seq : 0;
  }

  /**
   * Messages matching the filter after the current position, as the server
   * counts them for a consumer starting there (num_pending). The run's own
   * consumer is gone once a read ends, so a short-lived probe consumer is
   * made and removed: a stream info and two consumer calls, nothing read.
   */
  async lag(): Promise<number> {
    const stream = await streamFor(this.nc, this.config);
    const jsm = await jetstreamManager(this.nc);
    const { state } = await streamInfo(jsm, stream);
    // Past the end: the stream was recreated or purged, and a read starts over (as the iterator does).
    const after = this.after > state.last_seq ? 0 : this.after;
    if (after >= state.last_seq) return 0;
    const probe = await jsm.consumers.add(stream, {
      filter_subject: this.config.subject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: after + 1,
      ack_policy: AckPolicy.None,
      mem_storage: true,
      inactive_threshold: nanos(PROBE_INACTIVE_MS),
    });
    await jsm.consumers.delete(stream, probe.name).catch(() => undefined);
    return probe.num_pending;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SourceBatch> {
    const { options, config } = this;
    const stream = await streamFor(this.nc, config);
    const info = await streamInfo(await jetstreamManager(this.nc), stream);
    if (this.after > info.state.last_seq) {
      // The stream was recreated or purged below the stored sequence: its numbering started over.
      this.logger.warn({ stream, seq: this.after, lastSeq: info.state.last_seq }, 'stored position is past the end of the stream; reading from its start');
      this.after = 0;
    }
    if (this.after >= info.state.last_seq) return;
    const consumer = await jetstream(this.nc).consumers.get(stream, {
      filter_subjects: config.subject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: this.after + 1,
      inactive_threshold: 60_000,
    });
    this.deleteConsumer = () => consumer.delete().catch(() => undefined);
    try {
      // What matched when the consumer was made: the run reads that many, then ends.
      let remaining = (await consumer.info(true)).num_pending;
      while (remaining > 0 && !this.closed) {
        options.signal?.throwIfAborted();
        const messages = await consumer.fetch({ max_messages: Math.min(options.batchSize, remaining), expires: FETCH_EXPIRES_MS });
        const items: Item[] = [];
        let seq = this.after;
        for await (const m of messages) {
          items.push(messageItem(m));
          seq = m.seq;
        }
        if (items.length === 0) return;
        remaining -= items.length;
        this.after = seq;
        yield { items, position: { seq } };
      }
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const remove = this.deleteConsumer;
    this.deleteConsumer = undefined;
    await remove?.();
  }
}
