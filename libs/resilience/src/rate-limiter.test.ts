import { AppError } from '@autoweave/contracts';
import { describe, expect, it } from '@jest/globals';
import type { Clock } from './clock.js';
import { RateLimiter } from './rate-limiter.js';

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

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('RateLimiter', () => {
  it('fails fast with RATE_LIMITED and retryAfterMs when there is no queue', async () => {
    const limiter = new RateLimiter({ rate: 2, burst: 1, clock: new FakeClock() });
    await limiter.acquire();
    const err = await rejection(limiter.acquire());
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.details).toEqual({ retryAfterMs: 500 });
  });

  it('serves queued callers in order and refuses callers beyond the queue (real timers)', async () => {
    const limiter = new RateLimiter({ rate: 50, burst: 1, queue: 3 });
    await limiter.acquire();
    const order: number[] = [];
    const waiting = [1, 2, 3].map((i) => limiter.acquire().then(() => order.push(i)));
    expect(limiter.pending()).toBe(3);
    const refused = await rejection(limiter.acquire());
    expect(refused.code).toBe('RATE_LIMITED');
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
    expect(limiter.pending()).toBe(0);
    limiter.close();
  });

  it('does not let a newcomer overtake a waiter when a token appears', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ rate: 100, burst: 1, queue: 5, clock });
    await limiter.acquire();
    const order: string[] = [];
    const first = limiter.acquire().then(() => order.push('first'));
    clock.advance(10); // a token is available now, but 'first' is still queued
    const second = limiter.acquire().then(() => order.push('second'));
    await first;
    expect(order).toEqual(['first']);
    clock.advance(10);
    await second;
    expect(order).toEqual(['first', 'second']);
    limiter.close();
  });

  it('refuses to queue when the expected wait exceeds maxWaitMs', async () => {
    const limiter = new RateLimiter({ rate: 10, burst: 1, queue: 10, maxWaitMs: 150, clock: new FakeClock() });
    await limiter.acquire();
    const queued = limiter.acquire(); // expected wait 100ms
    const err = await rejection(limiter.acquire()); // expected wait 200ms
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.details).toEqual({ retryAfterMs: 200 });
    limiter.close();
    expect((await rejection(queued)).code).toBe('UNAVAILABLE');
  });

  it('close() rejects pending waiters and later calls', async () => {
    const limiter = new RateLimiter({ rate: 1, burst: 1, queue: 2 });
    await limiter.acquire();
    const pending = [limiter.acquire(), limiter.acquire()];
    await tick(5);
    limiter.close();
    for (const p of pending) expect((await rejection(p)).code).toBe('UNAVAILABLE');
    expect((await rejection(limiter.acquire())).code).toBe('UNAVAILABLE');
  });

  it('rejects a burst below one token', () => {
    expect(() => new RateLimiter({ rate: 1, burst: 0.5 })).toThrow(RangeError);
  });
});
