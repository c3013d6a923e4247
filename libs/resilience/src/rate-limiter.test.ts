import { AppError } from '@autoweave/contracts';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Clock } from './clock.js';
import { RateLimiter, type RateLimiterOptions } from './rate-limiter.js';

class FakeClock implements Clock {
  private t = 0;
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

// Closed after each test even when an assertion fails, so a queued waiter's timer cannot keep jest alive.
const limiters: RateLimiter[] = [];
function limiter(opts: RateLimiterOptions): RateLimiter {
  const created = new RateLimiter(opts);
  limiters.push(created);
  return created;
}
afterEach(() => {
  for (const created of limiters.splice(0)) created.close();
});

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('RateLimiter', () => {
  it('fails fast with RATE_LIMITED and retryAfterMs when there is no queue', async () => {
    const rl = limiter({ rate: 2, burst: 1, clock: new FakeClock() });
    await rl.acquire();
    const err = await rejection(rl.acquire());
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.details).toEqual({ retryAfterMs: 500 });
  });

  it('serves queued callers in order and refuses callers beyond the queue (real timers)', async () => {
    const rl = limiter({ rate: 50, burst: 1, queue: 3 });
    await rl.acquire();
    const order: number[] = [];
    const waiting = [1, 2, 3].map((i) => rl.acquire().then(() => order.push(i)));
    expect(rl.pending()).toBe(3);
    const refused = await rejection(rl.acquire());
    expect(refused.code).toBe('RATE_LIMITED');
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
    expect(rl.pending()).toBe(0);
    rl.close();
  });

  it('does not let a newcomer overtake a waiter when a token appears', async () => {
    const clock = new FakeClock();
    const rl = limiter({ rate: 100, burst: 1, queue: 5, clock });
    await rl.acquire();
    const order: string[] = [];
    const first = rl.acquire().then(() => order.push('first'));
    clock.advance(10); // a token is available now, but 'first' is still queued
    const second = rl.acquire().then(() => order.push('second'));
    await first;
    expect(order).toEqual(['first']);
    clock.advance(10);
    await second;
    expect(order).toEqual(['first', 'second']);
    rl.close();
  });

  it('refuses to queue when the expected wait exceeds maxWaitMs', async () => {
    const rl = limiter({ rate: 10, burst: 1, queue: 10, maxWaitMs: 150, clock: new FakeClock() });
    await rl.acquire();
    const queued = rl.acquire(); // expected wait 100ms
    const err = await rejection(rl.acquire()); // expected wait 200ms
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.details).toEqual({ retryAfterMs: 200 });
    rl.close();
    expect((await rejection(queued)).code).toBe('UNAVAILABLE');
  });

  it('close() rejects pending waiters and later calls', async () => {
    const rl = limiter({ rate: 1, burst: 1, queue: 2 });
    await rl.acquire();
    const pending = [rl.acquire(), rl.acquire()];
    await tick(5);
    rl.close();
    for (const p of pending) expect((await rejection(p)).code).toBe('UNAVAILABLE');
    expect((await rejection(rl.acquire())).code).toBe('UNAVAILABLE');
  });

  it('rejects a burst below one token', () => {
    expect(() => new RateLimiter({ rate: 1, burst: 0.5 })).toThrow(RangeError);
  });
});
