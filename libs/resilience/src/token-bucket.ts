import { systemClock, type Clock } from './clock.js';

export interface TokenBucketOptions {
  /** Tokens added per second. */
  rate: number;
  /** Capacity: the most tokens the bucket holds, i.e. the largest burst allowed. */
  burst: number;
  clock?: Clock;
}

// Refill arithmetic is fractional; without a tolerance 0.7 + 0.3 < 1 would make a
// caller who waited exactly waitTimeMs() find the bucket one hair short.
const EPSILON = 1e-9;

/**
 * A token bucket that refills lazily: nothing runs in the background, the
 * balance is brought up to date from the clock whenever it is read.
 */
export class TokenBucket {
  private readonly rate: number;
  private readonly burst: number;
  private readonly clock: Clock;
  private tokens: number;
  private lastRefill: number;

  constructor(opts: TokenBucketOptions) {
    assertPositiveFinite('rate', opts.rate);
    assertPositiveFinite('burst', opts.burst);
    this.rate = opts.rate;
    this.burst = opts.burst;
    this.clock = opts.clock ?? systemClock;
    // A fresh bucket is full so a service that just started may burst at once.
    this.tokens = opts.burst;
    this.lastRefill = this.clock.now();
  }

  /** Takes n tokens if they are all there; never takes a partial amount. */
  tryTake(n = 1): boolean {
    this.refill();
    if (this.tokens + EPSILON < n) return false;
    this.tokens = Math.max(0, this.tokens - n);
    return true;
  }

  /** ms until n tokens are available; 0 if they are now, Infinity if n exceeds the burst. */
  waitTimeMs(n = 1): number {
    this.refill();
    if (this.tokens + EPSILON >= n) return 0;
    if (n > this.burst) return Infinity;
    // Rounded up so that waiting this long is always enough.
    return Math.ceil(((n - this.tokens) / this.rate) * 1000);
  }

  /** Whole tokens that could be taken right now. */
  available(): number {
    this.refill();
    return Math.floor(this.tokens + EPSILON);
  }

  /** ms it takes to accrue one token; used to estimate queue waits. */
  msPerToken(): number {
    return 1000 / this.rate;
  }

  private refill(): void {
    const now = this.clock.now();
    // A clock that stepped backwards (NTP correction) must not drain the bucket.
    const elapsed = Math.max(0, now - this.lastRefill);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.rate) / 1000);
    this.lastRefill = now;
  }
}

function assertPositiveFinite(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`TokenBucket ${name} must be a positive finite number, got ${value}`);
  }
}
