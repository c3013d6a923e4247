import { TokenBucket, type Clock } from '@autoweave/resilience';
import { HttpStatusError } from '../errors.js';
import type { Principal } from './api-key-registry.js';

export interface ApiRateLimit {
  /** Tokens per second per key; 0 turns limiting off. */
  rps: number;
  burst: number;
  clock?: Clock;
}

/**
 * One token bucket per API key id (the admin key included), so one busy or
 * runaway client cannot starve the others. Only authenticated callers get a
 * bucket, so the map is bounded by the number of keys, not by what anonymous
 * callers send.
 */
export class ApiRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly limit: ApiRateLimit) {}

  get enabled(): boolean {
    return this.limit.rps > 0;
  }

  /** Takes a token for the key, or throws RATE_LIMITED (429) with Retry-After in whole seconds. */
  take(principal: Principal): void {
    if (!this.enabled) return;
    let bucket = this.buckets.get(principal.id);
    if (!bucket) {
      bucket = new TokenBucket({ rate: this.limit.rps, burst: this.limit.burst, clock: this.limit.clock });
      this.buckets.set(principal.id, bucket);
    }
    if (bucket.tryTake()) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(bucket.waitTimeMs() / 1000));
    throw new HttpStatusError(
      'RATE_LIMITED',
      `too many requests for this API key: at most ${this.limit.rps} a second (bursts of ${this.limit.burst}); retry after ${retryAfterSeconds}s`,
      429,
      { retryAfterSeconds },
      { 'retry-after': String(retryAfterSeconds) },
    );
  }
}
