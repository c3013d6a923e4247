import { AppError } from '@autoweave/contracts';

/**
 * The revision an `If-Match` header asks for: `7` or `"7"` (the ETag the
 * gateway sends is the quoted revision). `*` and an absent header ask for
 * none. Weak tags, lists and anything else are refused.
 */
export function revisionFromIfMatch(header: string | string[] | undefined): number | undefined {
  const value = (Array.isArray(header) ? header.join(',') : header)?.trim();
  if (value === undefined || value === '' || value === '*') return undefined;
  const match = /^(?:"([1-9][0-9]{0,15})"|([1-9][0-9]{0,15}))$/.exec(value);
  const revision = match ? Number(match[1] ?? match[2]) : NaN;
  if (!Number.isSafeInteger(revision)) {
    throw new AppError('VALIDATION', 'If-Match must be one revision, e.g. "7"', { ifMatch: value });
  }
  return revision;
}

/** The ETag of an integration view: its KV revision, quoted. */
export function etagOf(data: unknown): string | undefined {
  const revision = (data as { revision?: unknown } | null)?.revision;
  return typeof revision === 'number' && Number.isSafeInteger(revision) ? `"${revision}"` : undefined;
}
