import { AppError } from '@autoweave/contracts';
import type { Clock } from './clock.js';
import { TokenBucket } from './token-bucket.js';

export interface RateLimiterOptions {
  /** Tokens added per second. */
  rate: number;
  /** Bucket capacity. */
  burst: number;
  /** Max callers allowed to wait for a token; 0 (default) fails fast. */
  queue?: number;
  /** Refuse to queue a caller whose expected wait exceeds this. Default: no limit. */
  maxWaitMs?: number;
  clock?: Clock;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Admits calls at the bucket's rate. Callers beyond it either fail at once with
 * RATE_LIMITED (carrying retryAfterMs so the caller or its client can back off)
 * or wait in a bounded FIFO queue; the bound keeps memory and latency in check
 * when an upstream stays slow.
 */
export class RateLimiter {
  private readonly bucket: TokenBucket;
  private readonly maxQueue: number;
  private readonly maxWaitMs: number;
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(opts: RateLimiterOptions) {
    // A bucket that never holds a whole token would queue callers forever.
    if (!(opts.burst >= 1)) throw new RangeError(`RateLimiter burst must be at least 1, got ${opts.burst}`);
    this.bucket = new TokenBucket(opts);
    this.maxQueue = Math.max(0, Math.floor(opts.queue ?? 0));
    this.maxWaitMs = opts.maxWaitMs ?? Infinity;
  }

  /** Resolves once the caller may proceed; rejects with RATE_LIMITED if it may not. */
  acquire(): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    // Only take directly when nobody is queued, otherwise newcomers would overtake waiters.
    if (this.waiters.length === 0 && this.bucket.tryTake()) return Promise.resolve();

    const expectedWaitMs = this.expectedWaitMs();
    if (this.waiters.length >= this.maxQueue || expectedWaitMs > this.maxWaitMs) {
      return Promise.reject(rateLimited(expectedWaitMs));
    }
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.schedule();
    });
  }

  /** Number of callers currently waiting. */
  pending(): number {
    return this.waiters.length;
  }

  /** Rejects everyone still waiting and refuses later calls; for shutdown. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const error = closedError();
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  /**
   * Wait a newcomer placed at the end of the queue would see: the first waiter
   * needs the next token, each one behind it one token period more.
   */
  private expectedWaitMs(): number {
    const first = this.bucket.waitTimeMs(1);
    return Math.ceil(first + this.waiters.length * this.bucket.msPerToken());
  }

  /** Hands out every token that has accrued, in queue order, then sleeps until the next one. */
  private drain = (): void => {
    this.timer = undefined;
    while (this.waiters.length > 0 && this.bucket.tryTake()) {
      this.waiters.shift()?.resolve();
    }
    this.schedule();
  };

  // One timer at most: it is enough to wake for the head of the queue.
  private schedule(): void {
    if (this.timer !== undefined || this.waiters.length === 0 || this.closed) return;
    this.timer = setTimeout(this.drain, Math.max(1, this.bucket.waitTimeMs(1)));
  }
}

function rateLimited(retryAfterMs: number): AppError {
  return new AppError('RATE_LIMITED', 'rate limit exceeded', { retryAfterMs: Math.max(1, retryAfterMs) });
}

function closedError(): AppError {
  return new AppError('UNAVAILABLE', 'rate limiter is closed');
}
