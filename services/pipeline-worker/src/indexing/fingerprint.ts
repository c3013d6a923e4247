import { createHash, createHmac } from 'node:crypto';

/** JSON with object keys sorted at every depth: equal values give equal text whatever their key order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

/**
 * The content hash of an OpenAPI integration's spec (inline document or
 * URL): the index is rebuilt when it changes, and not when anything else of
 * the record does (health, status, tags).
 */
export function specHash(config: Record<string, unknown>): string {
  return createHash('sha256')
    .update(stableJson({ spec: config.openAPISpec ?? null, url: config.openAPISpec === undefined ? (config.openAPIUrl ?? null) : null }))
    .digest('hex');
}

/**
 * A fingerprint of a value that may hold secrets (connection strings): an
 * HMAC under a key only the worker has, so it can be stored beside the
 * pipeline without giving away a guessable hash of a password.
 */
export function secretFingerprint(key: string, value: unknown): string {
  return createHmac('sha256', key).update(stableJson(value)).digest('hex');
}

export function plainFingerprint(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex');
}
