import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the signed
 * content is `<webhook-id>.<webhook-timestamp>.<raw body>`, the signature
 * `v1,<base64 HMAC-SHA256>` under the secret's key (the base64 after `whsec_`).
 * A header may carry several space-separated signatures (key rotation).
 */
export const SIGNATURE_VERSION = 'v1';
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The HMAC key of a `whsec_` secret. */
export function secretKey(secret: string): Buffer {
  const base64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = Buffer.from(base64, 'base64');
  if (key.length === 0) throw new Error('a webhook secret must hold a non-empty base64 key');
  return key;
}

function hmac(key: Buffer, msgId: string, timestamp: string, body: Buffer | string): Buffer {
  return createHmac('sha256', key).update(`${msgId}.${timestamp}.`).update(body).digest();
}

/** `v1,<sig>` per key, space-separated: a receiver that knows any one of the keys accepts it. */
export function sign(keys: readonly Buffer[], msgId: string, timestamp: number, body: Buffer | string): string {
  const ts = String(timestamp);
  return keys.map((key) => `${SIGNATURE_VERSION},${hmac(key, msgId, ts, body).toString('base64')}`).join(' ');
}

export function signedHeaders(keys: readonly Buffer[], msgId: string, timestamp: number, body: Buffer | string): WebhookHeaders {
  return { 'webhook-id': msgId, 'webhook-timestamp': String(timestamp), 'webhook-signature': sign(keys, msgId, timestamp, body) };
}

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: string };

/**
 * Checks the headers against the raw body bytes: the timestamp within
 * `toleranceSeconds` of `nowSeconds` (both directions), then any `v1`
 * signature matching any key, compared in constant time.
 */
export function verify(
  keys: readonly Buffer[],
  headers: Partial<Record<keyof WebhookHeaders, string | string[] | undefined>>,
  body: Buffer,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): VerifyResult {
  const msgId = single(headers['webhook-id']);
  const timestamp = single(headers['webhook-timestamp']);
  const signature = single(headers['webhook-signature']);
  const missing = [!msgId && 'webhook-id', !timestamp && 'webhook-timestamp', !signature && 'webhook-signature'].filter(Boolean);
  if (missing.length > 0) return { ok: false, reason: `missing header(s): ${missing.join(', ')}` };
  if (!/^\d{1,12}$/.test(timestamp!)) return { ok: false, reason: 'webhook-timestamp must be whole seconds since the epoch' };
  const ts = Number(timestamp);
  if (ts < nowSeconds - toleranceSeconds) return { ok: false, reason: `webhook-timestamp is older than the ${toleranceSeconds} s tolerance` };
  if (ts > nowSeconds + toleranceSeconds) return { ok: false, reason: `webhook-timestamp is more than ${toleranceSeconds} s in the future` };
  const given = parseSignatures(signature!);
  if (given.length === 0) return { ok: false, reason: 'webhook-signature holds no v1 signature' };
  for (const key of keys) {
    const expected = hmac(key, msgId!, timestamp!, body);
    if (given.some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected))) return { ok: true, timestamp: ts };
  }
  return { ok: false, reason: 'no signature in webhook-signature matches the secret' };
}

function parseSignatures(header: string): Buffer[] {
  const out: Buffer[] = [];
  for (const part of header.split(' ')) {
    const comma = part.indexOf(',');
    if (comma > 0 && part.slice(0, comma) === SIGNATURE_VERSION) out.push(Buffer.from(part.slice(comma + 1), 'base64'));
  }
  return out;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
