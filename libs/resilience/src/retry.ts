import { AppError, type ErrorCode } from '@autoweave/contracts';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { sleep as defaultSleep } from './sleep.js';

export interface RetryOptions extends BackoffPolicy {
  /** Total attempts including the first; at least 1. */
  maxAttempts: number;
  /** Whether a failure of the given attempt is worth retrying. Default: {@link isRetryable}. */
  shouldRetry?: (err: unknown, attempt: number) => boolean;
  /** Called before each wait; the place to log or count retries. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Aborting stops further attempts and interrupts the current wait. */
  signal?: AbortSignal;
  /** Injected in tests to skip real waiting. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

// Retrying these cannot succeed: the request itself is wrong or refused.
const PERMANENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['VALIDATION', 'UNAUTHORIZED', 'NOT_FOUND', 'CONFLICT']);

/** Default retry predicate: everything except AppErrors whose code says the request itself is at fault. */
export function isRetryable(err: unknown): boolean {
  return !(err instanceof AppError && PERMANENT.has(err.code));
}

/**
 * Calls fn until it succeeds, a failure is not retryable, attempts run out or
 * the signal aborts; rethrows the last error unchanged so callers see the real cause.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  if (!Number.isInteger(opts.maxAttempts) || opts.maxAttempts < 1) {
    throw new RangeError(`retry maxAttempts must be an integer >= 1, got ${opts.maxAttempts}`);
  }
  const shouldRetry = opts.shouldRetry ?? isRetryable;
  const wait = opts.sleep ?? ((ms: number) => defaultSleep(ms, opts.signal));
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= opts.maxAttempts || !shouldRetry(err, attempt)) throw err;
      const delayMs = retryDelay(err, attempt, opts);
      opts.onRetry?.(err, attempt, delayMs);
      await wait(delayMs);
    }
  }
}

/**
 * The jittered backoff, but never shorter than a retryAfterMs hint the error
 * carries (RATE_LIMITED from a RateLimiter or an upstream's Retry-After):
 * retrying earlier would only be refused again. The hint is capped at
 * maxDelayMs so one server cannot stall the caller indefinitely.
 */
function retryDelay(err: unknown, attempt: number, opts: RetryOptions): number {
  const jittered = backoffDelay(attempt, opts, opts.random);
  const hint = retryAfterHint(err);
  return hint === undefined ? jittered : Math.max(jittered, Math.min(hint, opts.maxDelayMs));
}

function retryAfterHint(err: unknown): number | undefined {
  if (!(err instanceof AppError)) return undefined;
  const details = err.details;
  if (typeof details !== 'object' || details === null || !('retryAfterMs' in details)) return undefined;
  const value = details.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
