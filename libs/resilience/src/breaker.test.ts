import { AppError } from '@autoweave/contracts';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createBreaker, DEFAULT_BREAKER_OPTIONS, type Breaker } from './breaker.js';

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class HttpError extends Error {
  constructor(readonly status: number) {
    super(`upstream answered ${status}`);
  }
}

/** A function whose outcome the test switches; counts its calls. */
function controllable(): { fn: (x: number) => Promise<number>; calls: () => number; failWith: (err: Error | undefined) => void } {
  let calls = 0;
  let failure: Error | undefined;
  return {
    fn: async (x: number) => {
      calls++;
      if (failure) throw failure;
      return x * 2;
    },
    calls: () => calls,
    failWith: (err) => {
      failure = err;
    },
  };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

const breakers: Array<Breaker<never, unknown>> = [];
function track<A extends unknown[], R>(breaker: Breaker<A, R>): Breaker<A, R> {
  breakers.push(breaker as unknown as Breaker<never, unknown>);
  return breaker;
}

afterEach(() => {
  for (const breaker of breakers.splice(0)) breaker.shutdown();
});

describe('createBreaker', () => {
  it('passes arguments and results through while closed', async () => {
    const target = controllable();
    const breaker = track(createBreaker('calc', target.fn));
    await expect(breaker.fire(21)).resolves.toBe(42);
    expect(breaker.state()).toBe('closed');
    expect(breaker.name).toBe('calc');
  });

  it('applies the documented defaults, ignoring undefined overrides', () => {
    expect(DEFAULT_BREAKER_OPTIONS).toMatchObject({
      timeout: 10_000,
      errorThresholdPercentage: 50,
      resetTimeout: 30_000,
      volumeThreshold: 5,
      rollingCountTimeout: 10_000,
    });
    const breaker = track(createBreaker('defaults', async () => 1, { volumeThreshold: undefined }));
    expect(breaker.circuit.volumeThreshold).toBe(5);
  });

  it("rethrows fn's own errors unchanged", async () => {
    const target = controllable();
    const original = new HttpError(500);
    target.failWith(original);
    const breaker = track(createBreaker('upstream', target.fn));
    expect(await caught(breaker.fire(1))).toBe(original);
  });

  it('opens after enough failures and then fails fast with UNAVAILABLE', async () => {
    const target = controllable();
    target.failWith(new HttpError(503));
    const breaker = track(createBreaker('flaky', target.fn, { volumeThreshold: 3, resetTimeout: 200 }));
    for (let i = 0; i < 3; i++) expect(await caught(breaker.fire(i))).toBeInstanceOf(HttpError);
    expect(breaker.state()).toBe('open');

    const err = await caught(breaker.fire(4));
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'UNAVAILABLE', message: 'circuit breaker "flaky" is open', details: { breaker: 'flaky' } });
    expect(target.calls()).toBe(3);
  });

  it('half-opens after resetTimeout and closes when the probe succeeds', async () => {
    const target = controllable();
    target.failWith(new HttpError(503));
    const breaker = track(createBreaker('recovering', target.fn, { volumeThreshold: 2, resetTimeout: 200 }));
    await caught(breaker.fire(1));
    await caught(breaker.fire(1));
    expect(breaker.state()).toBe('open');

    await tick(300);
    expect(breaker.state()).toBe('halfOpen');
    target.failWith(undefined);
    await expect(breaker.fire(5)).resolves.toBe(10);
    expect(breaker.state()).toBe('closed');
    await expect(breaker.fire(6)).resolves.toBe(12);
  });

  it('reopens when the half-open probe fails', async () => {
    const target = controllable();
    target.failWith(new HttpError(503));
    const breaker = track(createBreaker('still-down', target.fn, { volumeThreshold: 2, resetTimeout: 200 }));
    await caught(breaker.fire(1));
    await caught(breaker.fire(1));
    await tick(300);
    expect(breaker.state()).toBe('halfOpen');
    expect(await caught(breaker.fire(1))).toBeInstanceOf(HttpError);
    expect(breaker.state()).toBe('open');
    expect(await caught(breaker.fire(1))).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('turns a timeout into TIMEOUT', async () => {
    let finish: () => void = () => undefined;
    const slow = (): Promise<string> =>
      new Promise((resolve) => {
        finish = () => resolve('late');
      });
    const breaker = track(createBreaker('slow', slow, { timeout: 30 }));
    const err = await caught(breaker.fire());
    finish();
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'TIMEOUT', details: { breaker: 'slow', timeoutMs: 30 } });
    expect(breaker.stats().timeouts).toBe(1);
  });

  it('does not count errors matched by errorFilter as failures', async () => {
    const target = controllable();
    const notFound = new HttpError(404);
    target.failWith(notFound);
    const breaker = track(
      createBreaker('filtered', target.fn, {
        volumeThreshold: 2,
        errorFilter: (err) => err instanceof HttpError && err.status < 500,
      }),
    );
    for (let i = 0; i < 6; i++) expect(await caught(breaker.fire(i))).toBe(notFound);
    expect(breaker.state()).toBe('closed');
    expect(breaker.stats().failures).toBe(0);

    // Filtered errors counted as successes: 6 of them, so 7 real failures exceed 50%.
    target.failWith(new HttpError(502));
    for (let i = 0; i < 7; i++) await caught(breaker.fire(i));
    expect(breaker.state()).toBe('open');
  });

  it('counts timeouts even when errorFilter would match everything', async () => {
    const never = (): Promise<void> => new Promise<void>(() => undefined);
    const breaker = track(createBreaker('filter-all', never, { timeout: 20, volumeThreshold: 1, errorFilter: () => true }));
    expect(await caught(breaker.fire())).toMatchObject({ code: 'TIMEOUT' });
    expect(breaker.state()).toBe('open');
  });

  it('rejects with UNAVAILABLE after shutdown', async () => {
    const breaker = createBreaker('gone', async () => 1);
    breaker.shutdown();
    expect(await caught(breaker.fire())).toMatchObject({ code: 'UNAVAILABLE', details: { breaker: 'gone' } });
  });
});

describe('breaker - calls made directly while closed', () => {
  it('counts them as fire() does and opens on the same rule, after which direct calls are no longer admitted', async () => {
    const breaker = createBreaker('direct', async () => 'unused', { volumeThreshold: 4, errorThresholdPercentage: 50, resetTimeout: 60_000 });
    try {
      expect(breaker.admitsDirectCalls()).toBe(true);
      for (let i = 0; i < 2; i++) breaker.record({ latencyMs: 1 });
      for (let i = 0; i < 2; i++) breaker.record({ failure: new Error('boom'), latencyMs: 1 });
      // 2 of 4 is 50 %, not above: still closed.
      expect(breaker.state()).toBe('closed');
      expect(breaker.stats()).toMatchObject({ fires: 4, successes: 2, failures: 2 });
      breaker.record({ failure: new Error('boom'), latencyMs: 1 });
      expect(breaker.state()).toBe('open');
      expect(breaker.admitsDirectCalls()).toBe(false);
      await expect(breaker.fire()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    } finally {
      breaker.shutdown();
    }
  });

  it('does not open before the volume threshold, and a shut-down breaker admits nothing directly', () => {
    const breaker = createBreaker('direct-volume', async () => 'unused', { volumeThreshold: 5, errorThresholdPercentage: 10 });
    for (let i = 0; i < 4; i++) breaker.record({ failure: new Error('boom'), latencyMs: 1 });
    expect(breaker.state()).toBe('closed');
    breaker.shutdown();
    expect(breaker.admitsDirectCalls()).toBe(false);
  });
});
