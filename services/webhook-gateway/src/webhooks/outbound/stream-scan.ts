import { DeliverPolicy, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';

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
