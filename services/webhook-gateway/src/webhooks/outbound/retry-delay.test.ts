import { describe, expect, it } from '@jest/globals';
import { MAX_RETRY_AFTER_MS, retryDecision, withJitter } from './retry-delay.js';

const SCHEDULE = [1000, 5000, 60_000];

describe('retry delay - schedule, jitter and Retry-After', () => {
  it.each<[number, number]>([
    [1, 1000],
    [2, 5000],
    [3, 60_000],
  ])('after failed attempt %i waits the scheduled %i ms (no jitter at random 0.5)', (attempt, delay) => {
    expect(retryDecision(SCHEDULE, attempt, undefined, () => 0.5)).toEqual({ retry: true, delayMs: delay });
  });

  it('gives up after the last attempt (schedule length + 1)', () => {
    expect(retryDecision(SCHEDULE, 4)).toEqual({ retry: false });
    expect(retryDecision(SCHEDULE, 9)).toEqual({ retry: false });
    expect(retryDecision([], 1)).toEqual({ retry: false });
  });

  it('spreads each delay by at most 20% either way', () => {
    expect(withJitter(1000, () => 0)).toBe(800);
    expect(withJitter(1000, () => 0.999999)).toBe(1200);
    for (let i = 0; i < 200; i++) {
      const d = withJitter(5000);
      expect(d).toBeGreaterThanOrEqual(4000);
      expect(d).toBeLessThanOrEqual(6000);
    }
  });

  it('takes the receiver Retry-After instead of the schedule, clamped to a day', () => {
    expect(retryDecision(SCHEDULE, 1, 30_000)).toEqual({ retry: true, delayMs: 30_000 });
    expect(retryDecision(SCHEDULE, 2, 0)).toEqual({ retry: true, delayMs: 0 });
    expect(retryDecision(SCHEDULE, 1, 10 * MAX_RETRY_AFTER_MS)).toEqual({ retry: true, delayMs: MAX_RETRY_AFTER_MS });
  });

  it('does not retry past the last attempt even when the receiver asks to', () => {
    expect(retryDecision(SCHEDULE, 4, 1000)).toEqual({ retry: false });
  });
});
