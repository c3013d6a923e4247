import { AppError } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import { DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { CursorOptions, Item, SourceBatch, SourceCursor } from '../../types.js';
import type { NatsConfig } from './nats.config.js';

/** How long one fetch waits for messages that were counted but not delivered (removed by limits meanwhile). */
const FETCH_EXPIRES_MS = 5_000;
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

  constructor(
    private readonly nc: NatsConnection,
    private readonly config: NatsConfig,
    private readonly options: CursorOptions,
    private readonly logger: Logger,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<SourceBatch> {
    const { options, config } = this;
    const stream = await streamFor(this.nc, config);
    const jsm = await jetstreamManager(this.nc);
    const info = await jsm.streams.info(stream).catch(() => {
      throw new AppError('VALIDATION', `stream ${stream} does not exist`, { field: 'stream' });
    });
    let after = typeof options.position?.seq === 'number' && Number.isInteger(options.position.seq) ? options.position.seq : 0;
    if (after > info.state.last_seq) {
      // The stream was recreated or purged below the stored sequence: its numbering started over.
      this.logger.warn({ stream, seq: after, lastSeq: info.state.last_seq }, 'stored position is past the end of the stream; reading from its start');
      after = 0;
    }
    if (after >= info.state.last_seq) return;
    const consumer = await jetstream(this.nc).consumers.get(stream, {
      filter_subjects: config.subject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: after + 1,
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
        let seq = after;
        for await (const m of messages) {
          items.push(messageItem(m));
          seq = m.seq;
        }
        if (items.length === 0) return;
        remaining -= items.length;
        after = seq;
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
