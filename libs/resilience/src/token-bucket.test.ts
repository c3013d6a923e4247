import { describe, expect, it } from '@jest/globals';
import type { Clock } from './clock.js';
import { TokenBucket } from './token-bucket.js';

class FakeClock implements Clock {
  constructor(private t = 1_000_000) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

function drained(rate: number, burst: number): { bucket: TokenBucket; clock: FakeClock } {
  const clock = new FakeClock();
  const bucket = new TokenBucket({ rate, burst, clock });
  expect(bucket.tryTake(burst)).toBe(true);
  return { bucket, clock };
}

describe('TokenBucket', () => {
  it('starts full and allows exactly a burst', () => {
    const bucket = new TokenBucket({ rate: 1, burst: 3, clock: new FakeClock() });
    expect(bucket.available()).toBe(3);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
    expect(bucket.available()).toBe(0);
  });

  it('refills at the configured rate', () => {
    const { bucket, clock } = drained(10, 5);
    clock.advance(99);
    expect(bucket.available()).toBe(0);
    expect(bucket.tryTake()).toBe(false);
    clock.advance(1);
    expect(bucket.available()).toBe(1);
    clock.advance(250);
    expect(bucket.available()).toBe(3);
  });

  it('never holds more than the burst', () => {
    const { bucket, clock } = drained(10, 5);
    clock.advance(3_600_000);
    expect(bucket.available()).toBe(5);
    expect(bucket.tryTake(6)).toBe(false);
    expect(bucket.tryTake(5)).toBe(true);
    expect(bucket.tryTake()).toBe(false);
  });

  it('does not take a partial amount', () => {
    const { bucket, clock } = drained(10, 5);
    clock.advance(200);
    expect(bucket.tryTake(3)).toBe(false);
    expect(bucket.available()).toBe(2);
  });

  it('reports the wait until n tokens are available', () => {
    const { bucket, clock } = drained(10, 5);
    expect(bucket.waitTimeMs()).toBe(100);
    expect(bucket.waitTimeMs(3)).toBe(300);
    clock.advance(50);
    expect(bucket.waitTimeMs()).toBe(50);
    expect(bucket.waitTimeMs(6)).toBe(Infinity);
    clock.advance(50);
    expect(bucket.waitTimeMs()).toBe(0);
  });

  it.each([3, 7, 10, 33.3])('has the tokens after waiting waitTimeMs (rate %p)', (rate) => {
    const { bucket, clock } = drained(rate, 2);
    for (let i = 0; i < 20; i++) {
      clock.advance(bucket.waitTimeMs(1));
      expect(bucket.tryTake()).toBe(true);
      clock.advance(7);
    }
  });

  it('is not drained by a clock stepping backwards', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ rate: 1, burst: 2, clock });
    clock.advance(-10_000);
    expect(bucket.available()).toBe(2);
  });

  it('rejects a non-positive rate or burst', () => {
    expect(() => new TokenBucket({ rate: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ rate: 1, burst: -1 })).toThrow(RangeError);
  });
});
