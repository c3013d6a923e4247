import { DeliverPolicy, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';

export interface ScanRange {
  /** One subject filter (nats-server 2.9 takes one). */
  filter: string;
  startSeq?: number;
  startTime?: Date;
  /** Messages after this sequence end the scan. */
  endSeq: number;
  /** Only subjects and headers, for counting. */
  headersOnly?: boolean;
}

const BATCH = 1000;

/**
 * Reads a range of a stream, oldest first, with an ordered (ephemeral)
 * consumer that is deleted afterwards. `visit` returns false to stop early.
 */
export async function scanStream(js: JetStreamClient, stream: string, range: ScanRange, visit: (msg: JsMsg) => boolean | void): Promise<void> {
  const start = range.startTime
    ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: range.startTime.toISOString() }
    : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, range.startSeq ?? 1) };
  const consumer = await js.consumers.get(stream, { filter_subjects: range.filter, headers_only: range.headersOnly ?? false, ...start });
  try {
    let pending = (await consumer.info(true)).num_pending;
    while (pending > 0) {
      const batch = await consumer.fetch({ max_messages: Math.min(pending, BATCH), expires: 5000 });
      let received = 0;
      for await (const msg of batch) {
        received++;
        if (msg.seq > range.endSeq || visit(msg) === false) return;
        pending = msg.info.pending;
        if (pending === 0) break;
      }
      if (received === 0) return;
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
}

export interface LatestOptions {
  filter: string;
  /** Items wanted; the scan stops once it has this many (it may return more). */
  limit: number;
  /** Sequences in the first window from the end; each further window is 4 times larger. */
  firstWindow: number;
  /** Sequences looked at for one query at most, so a rare match cannot read the whole stream. */
  maxSpan: number;
}

/**
 * The latest items of a stream, newest first. JetStream reads forwards only,
 * so the stream is read in windows from its end backwards until `limit`
 * items are found. `collect` turns a message into its items, or answers null
 * for one older than wanted: it is skipped and no earlier window is read.
 */
export async function latestFromStream<T>(
  js: JetStreamClient,
  jsm: JetStreamManager,
  stream: string,
  options: LatestOptions,
  collect: (msg: JsMsg) => T[] | null,
): Promise<T[]> {
  const { state } = await jsm.streams.info(stream);
  if (state.messages === 0) return [];
  const found: T[] = [];
  let end = state.last_seq;
  let window = options.firstWindow;
  let reachedOlder = false;
  while (!reachedOlder && end >= state.first_seq && found.length < options.limit && state.last_seq - end < options.maxSpan) {
    const start = Math.max(state.first_seq, end - window + 1);
    const inWindow: T[] = [];
    await scanStream(js, stream, { filter: options.filter, startSeq: start, endSeq: end }, (msg) => {
      const items = collect(msg);
      if (items === null) reachedOlder = true;
      else inWindow.push(...items);
    });
    found.push(...inWindow.reverse());
    end = start - 1;
    window *= 4;
  }
  return found;
}
