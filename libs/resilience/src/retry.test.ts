import { AppError } from '@autoweave/contracts';
import { describe, expect, it } from '@jest/globals';
import { isRetryable, retry, type RetryOptions } from './retry.js';

function options(overrides: Partial<RetryOptions> = {}): RetryOptions & { slept: number[] } {
  const slept: number[] = [];
  return {
    maxAttempts: 4,
    initialDelayMs: 100,
    maxDelayMs: 1_000,
    random: () => 0.5,
    sleep: async (ms) => {
      slept.push(ms);
    },
    slept,
    ...overrides,
  };
}

function failingTimes<T>(failures: number, value: T): { fn: (attempt: number) => Promise<T>; attempts: number[] } {
  const attempts: number[] = [];
  const fn = async (attempt: number): Promise<T> => {
    attempts.push(attempt);
    if (attempts.length <= failures) throw new Error(`failure ${attempts.length}`);
    return value;
  };
  return { fn, attempts };
}

describe('retry', () => {
  it('retries until fn succeeds, backing off between attempts', async () => {
    const opts = options();
    const retries: Array<[string, number, number]> = [];
    const { fn, attempts } = failingTimes(2, 'ok');
    const result = await retry(fn, { ...opts, onRetry: (err, attempt, delay) => retries.push([(err as Error).message, attempt, delay]) });
    expect(result).toBe('ok');
    expect(attempts).toEqual([1, 2, 3]);
    expect(opts.slept).toEqual([50, 100]);
    expect(retries).toEqual([
      ['failure 1', 1, 50],
      ['failure 2', 2, 100],
    ]);
  });

  it('stops after maxAttempts and rethrows the last error unchanged', async () => {
    const opts = options({ maxAttempts: 3 });
    const { fn, attempts } = failingTimes(10, 'never');
    await expect(retry(fn, opts)).rejects.toThrow('failure 3');
    expect(attempts).toEqual([1, 2, 3]);
    expect(opts.slept).toHaveLength(2);
  });

  it('stops as soon as shouldRetry says no', async () => {
    const opts = options({ shouldRetry: (_err, attempt) => attempt < 2 });
    const { fn, attempts } = failingTimes(10, 'never');
    await expect(retry(fn, opts)).rejects.toThrow('failure 2');
    expect(attempts).toEqual([1, 2]);
  });

  it('by default does not retry errors that blame the request', async () => {
    let calls = 0;
    const invalid = new AppError('VALIDATION', 'bad input');
    await expect(
      retry(async () => {
        calls++;
        throw invalid;
      }, options()),
    ).rejects.toBe(invalid);
    expect(calls).toBe(1);
    expect(isRetryable(new AppError('UNAVAILABLE', 'down'))).toBe(true);
    expect(isRetryable(new Error('ECONNRESET'))).toBe(true);
    expect(isRetryable(new AppError('NOT_FOUND', 'gone'))).toBe(false);
  });

  it('waits at least a retryAfterMs hint, capped at maxDelayMs', async () => {
    const opts = options({ maxAttempts: 3 });
    const hints = [400, 60_000];
    let calls = 0;
    await retry(async () => {
      const hint = hints[calls++];
      if (hint !== undefined) throw new AppError('RATE_LIMITED', 'slow down', { retryAfterMs: hint });
      return 'ok';
    }, opts);
    expect(opts.slept).toEqual([400, 1_000]);
  });

  it('stops when the signal aborts during the wait', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled');
    let calls = 0;
    const pending = retry(
      async () => {
        calls++;
        throw new Error('boom');
      },
      { maxAttempts: 5, initialDelayMs: 60_000, maxDelayMs: 60_000, signal: controller.signal, onRetry: () => controller.abort(reason) },
    );
    await expect(pending).rejects.toBe(reason);
    expect(calls).toBe(1);
  });

  it('does not call fn when the signal is already aborted', async () => {
    let calls = 0;
    const signal = AbortSignal.abort(new Error('gone'));
    await expect(retry(async () => ++calls, options({ signal }))).rejects.toThrow('gone');
    expect(calls).toBe(0);
  });

  it('rejects maxAttempts below 1', async () => {
    await expect(retry(async () => 1, options({ maxAttempts: 0 }))).rejects.toThrow(RangeError);
  });
});
