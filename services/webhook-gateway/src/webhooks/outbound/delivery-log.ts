import { STREAMS, subjectFilter, type DeliveryAttempt, type DeliveryOutcome } from '@autoweave/contracts';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { scanStream } from './stream-scan.js';

export interface DeliveryQuery {
  status?: DeliveryOutcome;
  msgId?: string;
  limit?: number;
}

export const DEFAULT_DELIVERY_LIMIT = 50;
/** The first window read back from the end of DELIVERIES (stream sequences); each further window is 4 times larger. */
const FIRST_WINDOW = 2000;
/** Stream sequences looked at for one query at most, so a query for a rare msgId cannot read the whole stream. */
const MAX_SPAN = 2_000_000;

/**
 * Reads delivery attempts back from DELIVERIES, latest first. JetStream reads
 * forwards only, so the stream is read in windows from its end backwards
 * (filtered to the endpoint, and to the outcome when asked for, by subject)
 * until enough attempts are found.
 */
export class DeliveryLog {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
  ) {}

  async latest(integrationId: string, query: DeliveryQuery = {}): Promise<DeliveryAttempt[]> {
    const limit = query.limit ?? DEFAULT_DELIVERY_LIMIT;
    const { state } = await this.jsm.streams.info(STREAMS.deliveries.name);
    if (state.messages === 0) return [];
    const filter = subjectFilter.webhookDeliveries(integrationId, query.status);
    const found: DeliveryAttempt[] = [];
    let end = state.last_seq;
    let window = FIRST_WINDOW;
    while (end >= state.first_seq && found.length < limit && state.last_seq - end < MAX_SPAN) {
      const start = Math.max(state.first_seq, end - window + 1);
      const inWindow: DeliveryAttempt[] = [];
      await scanStream(this.js, STREAMS.deliveries.name, { filter, startSeq: start, endSeq: end }, (msg) => {
        for (const attempt of msg.json<DeliveryAttempt[]>()) if (!query.msgId || attempt.msgId === query.msgId) inWindow.push(attempt);
      });
      found.push(...inWindow.reverse());
      end = start - 1;
      window *= 4;
    }
    // Batches of different outcomes interleave in the stream; order by time, newest first.
    return found.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, limit);
  }
}
