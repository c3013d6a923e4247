import { LOG_LEVELS, STREAMS, subjectFor, type IntegrationLogEntry, type LogLevel } from '@autoweave/contracts';
import type { Bus } from '@autoweave/messaging';
import { DeliverPolicy, jetstream, type JetStreamClient } from '@nats-io/jetstream';

/** Upper bound of messages (batches) scanned for one query, so a busy integration cannot make a read unbounded. */
const MAX_SCAN = 20_000;
const HOUR_MS = 60 * 60 * 1000;

export interface LogQuery {
  since?: Date;
  level?: LogLevel;
  limit?: number;
}

/** Entries are sent at most this long after they happen, in one message per integration. */
const FLUSH_INTERVAL_MS = 100;
const MAX_BATCH = 500;

/**
 * The INTEGRATION_LOGS stream: the calls and probes of an integration on
 * `integration.log.<id>`. Entries are batched (one message, a JSON array, per
 * integration every 100 ms) and sent with a core publish the stream captures,
 * so logging adds neither a round trip nor a stream write to each call. Read
 * back with an ordered consumer filtered to one integration, from `since`.
 */
export class IntegrationLog {
  private readonly js: JetStreamClient;
  private readonly pending = new Map<string, IntegrationLogEntry[]>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly bus: Bus) {
    this.js = jetstream(bus.nc);
  }

  write(entry: IntegrationLogEntry): void {
    const batch = this.pending.get(entry.integrationId) ?? [];
    batch.push(entry);
    this.pending.set(entry.integrationId, batch);
    if (batch.length >= MAX_BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
  }

  /** Sends what is pending now (also on shutdown). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const [integrationId, entries] of this.pending) {
      try {
        this.bus.publish(subjectFor.integrationLog(integrationId), entries);
      } catch {
        // A log line must never fail a call; the reply and the metrics still tell.
      }
    }
    this.pending.clear();
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
      let seen = 0;
      for await (const msg of messages) {
        const body = msg.json<IntegrationLogEntry | IntegrationLogEntry[]>();
        for (const entry of Array.isArray(body) ? body : [body]) if (entry.ts >= since.toISOString()) out.push(entry);
        if (++seen >= wanted) break;
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
    return out;
  }
}
