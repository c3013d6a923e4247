import { LOG_LEVELS, STREAMS, subjectFor, type IntegrationLogEntry, type LogLevel } from '@autoweave/contracts';
import type { Bus } from '@autoweave/messaging';
import { DeliverPolicy, jetstream, type JetStreamClient } from '@nats-io/jetstream';

/** Upper bound of entries scanned for one query, so a busy integration cannot make a read unbounded. */
const MAX_SCAN = 20_000;
const HOUR_MS = 60 * 60 * 1000;

export interface LogQuery {
  since?: Date;
  level?: LogLevel;
  limit?: number;
}

/**
 * The INTEGRATION_LOGS stream: one entry per call or probe on
 * `integration.log.<id>`. Written with a core publish (the stream captures it)
 * so logging never adds a round trip to a call; read back with an ordered
 * consumer filtered to one integration, starting at `since`.
 */
export class IntegrationLog {
  private readonly js: JetStreamClient;

  constructor(private readonly bus: Bus) {
    this.js = jetstream(bus.nc);
  }

  write(entry: IntegrationLogEntry): void {
    try {
      this.bus.publish(subjectFor.integrationLog(entry.integrationId), entry);
    } catch {
      // A log line must never fail a call; the reply and the metrics still tell.
    }
  }

  /** Entries of one integration from `since` (default: the last hour), oldest first, the newest `limit` of them. */
  async read(integrationId: string, query: LogQuery = {}): Promise<IntegrationLogEntry[]> {
    const since = query.since ?? new Date(Date.now() - HOUR_MS);
    const minLevel = LOG_LEVELS.indexOf(query.level ?? 'debug');
    const limit = query.limit ?? 100;
    const kept: IntegrationLogEntry[] = [];
    for (const entry of await this.scan(integrationId, since)) {
      if (LOG_LEVELS.indexOf(entry.level) < minLevel) continue;
      kept.push(entry);
      if (kept.length > limit) kept.shift();
    }
    return kept;
  }

  /** Every entry of one integration since a time, oldest first (bounded by MAX_SCAN). */
  async scan(integrationId: string, since: Date): Promise<IntegrationLogEntry[]> {
    const consumer = await this.js.consumers.get(STREAMS.integrationLogs.name, {
      filter_subjects: subjectFor.integrationLog(integrationId),
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: since.toISOString(),
    });
    const out: IntegrationLogEntry[] = [];
    try {
      const pending = (await consumer.info(true)).num_pending;
      const wanted = Math.min(pending, MAX_SCAN);
      if (wanted === 0) return out;
      const messages = await consumer.fetch({ max_messages: wanted, expires: 5000 });
      for await (const msg of messages) {
        out.push(msg.json<IntegrationLogEntry>());
        if (out.length >= wanted) break;
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
    return out;
  }
}
