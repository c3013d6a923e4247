import { subjectFor, type DeliveryAttempt } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import type { JetStreamClient } from '@nats-io/jetstream';

export interface AttemptRecorderOptions {
  /** Records are written at most this long after the attempt. */
  flushMs?: number;
  /** Records per stream message. */
  maxBatch?: number;
  /** Records held while DELIVERIES cannot be written; the oldest are dropped beyond this. */
  maxPending?: number;
}

const encoder = new TextEncoder();

/**
 * Writes delivery attempts to DELIVERIES, batched: one message (a JSON array)
 * per endpoint and outcome every `flushMs`, published with JetStream acks in
 * the background. A delivery never waits for its record, so recording costs
 * the hot path neither a round trip nor a stream write per attempt. A record
 * that cannot be written is kept and tried again with the next flush.
 */
export class AttemptRecorder {
  private pending = new Map<string, DeliveryAttempt[]>();
  private size = 0;
  private timer?: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly maxPending: number;
  private dropped = 0;
  private closed = false;

  constructor(
    private readonly js: JetStreamClient,
    private readonly logger: Logger,
    options: AttemptRecorderOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 100;
    this.maxBatch = options.maxBatch ?? 200;
    this.maxPending = options.maxPending ?? 50_000;
  }

  record(attempt: DeliveryAttempt): void {
    const subject = subjectFor.webhookDelivery(attempt.integrationId, attempt.outcome);
    const batch = this.pending.get(subject);
    if (batch) batch.push(attempt);
    else this.pending.set(subject, [attempt]);
    this.size++;
    if (this.size > this.maxPending) this.dropOldest();
    this.schedule(this.flushMs);
  }

  /** Writes what is pending and stops: later failures are logged, not retried (the connection is going away). */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  /** Writes everything pending now; resolves when those writes (and earlier ones) are done. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batches = this.pending;
    this.pending = new Map();
    this.size = 0;
    for (const [subject, records] of batches) {
      for (let i = 0; i < records.length; i += this.maxBatch) this.track(this.write(subject, records.slice(i, i + this.maxBatch)));
    }
    await Promise.all([...this.inFlight]);
  }

  private track(write: Promise<void>): void {
    this.inFlight.add(write);
    void write.finally(() => this.inFlight.delete(write));
  }

  private async write(subject: string, records: DeliveryAttempt[]): Promise<void> {
    try {
      await this.js.publish(subject, encoder.encode(JSON.stringify(records)));
    } catch (err) {
      if (this.closed) {
        this.logger.error({ subject, records: records.length, err: (err as Error).message }, 'delivery attempt records lost at shutdown');
        return;
      }
      this.logger.warn({ subject, records: records.length, err: (err as Error).message }, 'could not record delivery attempts; will retry');
      const batch = this.pending.get(subject) ?? [];
      this.pending.set(subject, [...records, ...batch]);
      this.size += records.length;
      if (this.size > this.maxPending) this.dropOldest();
      this.schedule(Math.max(this.flushMs, 1000));
    }
  }

  private schedule(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.flush(), ms);
    // Never what keeps a stopping process alive; close() flushes what is left.
    this.timer.unref();
  }

  private dropOldest(): void {
    for (const [subject, batch] of this.pending) {
      while (this.size > this.maxPending && batch.length > 0) {
        batch.shift();
        this.size--;
        this.dropped++;
      }
      if (batch.length === 0) this.pending.delete(subject);
      if (this.size <= this.maxPending) break;
    }
    this.logger.error({ dropped: this.dropped }, 'delivery attempt records dropped: DELIVERIES has not been writable');
  }
}
