import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { HEADERS } from '@autoweave/contracts';

export const API_KEY_PREFIX = 'aw_';
/** `aw_` + 32 random bytes as base64url (43 characters). */
export const API_KEY_FORMAT = /^aw_[A-Za-z0-9_-]{43}$/;

export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * The stored form of a key. A plain sha256 is enough: generated keys carry
 * 256 random bits, so there is nothing to brute-force or look up in a table.
 * (An operator-chosen AUTOWEAVE_ADMIN_API_KEY is only ever compared, never stored.)
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Compares two hex digests in constant time. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

type HeaderValue = string | string[] | undefined;

/** The key a request presents: `Authorization: Bearer <key>`, else `x-api-key: <key>`. */
export function extractApiKey(headers: Record<string, HeaderValue>): string | undefined {
  const authorization = first(headers.authorization);
  if (authorization) {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (match) return match[1];
  }
  const apiKey = first(headers[HEADERS.apiKey])?.trim();
  return apiKey || undefined;
}

function first(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
