import { STREAMS, subjectFor, type StreamSpec } from '@autoweave/contracts';
import type { StreamLimits } from '@autoweave/messaging';
import type { Logger } from '@autoweave/observability';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { latestFromStream } from '../webhooks/outbound/stream-scan.js';

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

/** Writes audit entries to the AUDIT stream and reads them back newest first. */
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
    const since = query.since?.toISOString();
    const options = { filter: STREAMS.audit.subjects[0], limit: query.limit, firstWindow: FIRST_WINDOW, maxSpan: MAX_SPAN };
    const found = await latestFromStream(this.js, this.jsm, STREAMS.audit.name, options, (msg) => {
      const entry = msg.json<AuditEntry>();
      return since && entry.ts < since ? null : [entry];
    });
    return found.slice(0, query.limit);
  }
}
