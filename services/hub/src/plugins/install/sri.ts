import { createHash, timingSafeEqual } from 'node:crypto';

/** The sha512 Subresource Integrity string of some bytes (what npm records as `integrity`). */
export function sha512Integrity(bytes: Buffer): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

/** True when two SRI strings name the same sha512 digest. */
export function sameIntegrity(a: string, b: string): boolean {
  const left = Buffer.from(a.trim());
  const right = Buffer.from(b.trim());
  return left.length === right.length && timingSafeEqual(left, right);
}
