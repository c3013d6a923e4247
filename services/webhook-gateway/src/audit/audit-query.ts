import { AppError } from '@autoweave/contracts';
import type { AuditQuery } from './audit-log.js';

export const DEFAULT_AUDIT_LIMIT = 100;
export const MAX_AUDIT_LIMIT = 1000;

/** `?since=<ISO time>&limit=<1..1000>` of `GET /api/audit`; anything else is a VALIDATION error naming the parameter. */
export function parseAuditQuery(query: Record<string, unknown>): AuditQuery {
  const out: AuditQuery = { limit: DEFAULT_AUDIT_LIMIT };
  const since = query.since;
  if (since !== undefined) {
    const time = typeof since === 'string' && /^\d{4}-\d{2}-\d{2}/.test(since) ? new Date(since) : undefined;
    if (!time || Number.isNaN(time.getTime())) {
      throw new AppError('VALIDATION', 'since must be an ISO 8601 time such as 2026-01-31T12:00:00Z', { field: 'since' });
    }
    out.since = time;
  }
  const limit = query.limit;
  if (limit !== undefined) {
    const n = typeof limit === 'string' && /^\d+$/.test(limit) ? Number(limit) : NaN;
    if (!(n >= 1 && n <= MAX_AUDIT_LIMIT)) {
      throw new AppError('VALIDATION', `limit must be an integer from 1 to ${MAX_AUDIT_LIMIT}`, { field: 'limit' });
    }
    out.limit = n;
  }
  return out;
}
