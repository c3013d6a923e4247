// delay-seconds per RFC 9110 is an integer; fractions are accepted because some servers send them.
const SECONDS = /^\d+(\.\d+)?$/;
// An HTTP-date always names a weekday or month. Requiring a letter keeps Date.parse
// from reading things like "-5" or "1" as years.
const HAS_LETTER = /[a-z]/i;

/**
 * Converts a Retry-After header (seconds or HTTP date) to a delay in ms from
 * `now`, never negative. Undefined when absent or unparseable, so the caller
 * falls back to its own backoff.
 */
export function retryAfterToMs(header: string | undefined, now: number = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (SECONDS.test(value)) return Math.ceil(Number(value) * 1000);
  if (!HAS_LETTER.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
