import { STREAMS, subjectFilter, type DeliveryAttempt, type DeliveryOutcome } from '@autoweave/contracts';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { latestFromStream } from './stream-scan.js';

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
 * Reads delivery attempts back from DELIVERIES, latest first (filtered to the
 * endpoint, and to the outcome when asked for, by subject).
 */
export class DeliveryLog {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
  ) {}

  async latest(integrationId: string, query: DeliveryQuery = {}): Promise<DeliveryAttempt[]> {
    const limit = query.limit ?? DEFAULT_DELIVERY_LIMIT;
    const options = { filter: subjectFilter.webhookDeliveries(integrationId, query.status), limit, firstWindow: FIRST_WINDOW, maxSpan: MAX_SPAN };
    const found = await latestFromStream(this.js, this.jsm, STREAMS.deliveries.name, options, (msg) =>
      msg.json<DeliveryAttempt[]>().filter((attempt) => !query.msgId || attempt.msgId === query.msgId),
    );
    // Batches of different outcomes interleave in the stream; order by time, newest first.
    return found.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, limit);
  }
}
