import { describe, expect, it } from '@jest/globals';
import { backoffDelay } from './backoff.js';

const policy = { initialDelayMs: 100, maxDelayMs: 5_000 };

describe('backoffDelay', () => {
  it('is 0 when random returns 0', () => {
    for (const attempt of [1, 2, 5, 30]) expect(backoffDelay(attempt, policy, () => 0)).toBe(0);
  });

  it('stays below the exponential ceiling when random is near 1', () => {
    const high = (): number => 0.999;
    expect(backoffDelay(1, policy, high)).toBe(99);
    expect(backoffDelay(2, policy, high)).toBe(199);
    expect(backoffDelay(3, policy, high)).toBe(399);
    expect(backoffDelay(3, { ...policy, multiplier: 3 }, high)).toBe(899);
  });

  it('caps at maxDelayMs', () => {
    expect(backoffDelay(7, policy, () => 0.999)).toBe(4_995);
    expect(backoffDelay(1_000, policy, () => 0.999)).toBe(4_995);
  });

  it('always lies in [0, ceiling)', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
      for (const r of [0, 0.25, 0.5, 0.75, 0.999999]) {
        const delay = backoffDelay(attempt, policy, () => r);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }
    }
  });
});
