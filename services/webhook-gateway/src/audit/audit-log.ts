import { STREAMS, subjectFor, type StreamSpec } from '@autoweave/contracts';
import type { StreamLimits } from '@autoweave/messaging';
import type { Logger } from '@autoweave/observability';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { scanStream } from '../webhooks/outbound/stream-scan.js';

/**
 * One audited API request: who (the key's id and name, never the key), what
 * (method and route pattern, never the URL, query or body), to which
 * integration or pipeline, with what outcome.
 */
export interface AuditEntry {
  ts: string;
  keyId: string;
  keyName: string;
  method: string;
  route: string;
  integrationId?: string;
  pipelineId?: string;
  status: number;
  correlationId: string;
}

/** Audit entries are kept longer than the other streams' default week. */
export const AUDIT_MAX_AGE_MS = 90 * 24 * 60 * 60 * 1000;

/** AUDIT as the gateway provisions it. */
export const AUDIT_STREAM: StreamSpec & { limits: StreamLimits } = { ...STREAMS.audit, limits: { maxAgeMs: AUDIT_MAX_AGE_MS } };

export interface AuditQuery {
  /** Only entries at or after this time. */
  since?: Date;
  limit: number;
}

const FIRST_WINDOW = 500;
/** Stream sequences one query looks at, at most. */
const MAX_SPAN = 1_000_000;

/**
 * Writes audit entries to the AUDIT stream and reads them back newest first
 * (in windows from the stream's end backwards, as JetStream reads forwards only).
 */
export class AuditLog {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly logger: Logger,
  ) {}

  /**
   * Fire-and-forget: the answer has already gone out, so a failed write is
   * logged (without the entry's ids beyond the correlation id) and not retried.
   */
  record(entry: AuditEntry): void {
    this.js.publish(subjectFor.audit(entry.keyId), JSON.stringify(entry)).catch((err: unknown) => {
      this.logger.warn({ correlationId: entry.correlationId, route: entry.route, err: (err as Error).message }, 'audit entry not written');
    });
  }

  async latest(query: AuditQuery): Promise<AuditEntry[]> {
    const { state } = await this.jsm.streams.info(STREAMS.audit.name);
    if (state.messages === 0) return [];
    const since = query.since?.toISOString();
    const filter = STREAMS.audit.subjects[0];
    const found: AuditEntry[] = [];
    let end = state.last_seq;
    let window = FIRST_WINDOW;
    let reachedSince = false;
    while (!reachedSince && end >= state.first_seq && found.length < query.limit && state.last_seq - end < MAX_SPAN) {
      const start = Math.max(state.first_seq, end - window + 1);
      const inWindow: AuditEntry[] = [];
      await scanStream(this.js, STREAMS.audit.name, { filter, startSeq: start, endSeq: end }, (msg) => {
        const entry = msg.json<AuditEntry>();
        if (since && entry.ts < since) reachedSince = true;
        else inWindow.push(entry);
      });
      found.push(...inWindow.reverse());
      end = start - 1;
      window *= 4;
    }
    return found.slice(0, query.limit);
  }
}
