import { describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import { createLogger } from '@autoweave/observability';
import { waitFor } from '@autoweave/testing';
import { ReconcileQueue } from './reconcile-queue.js';

const logger = createLogger({ level: 'silent', service: 'test' });

describe('reconcile queue - one reconcile per key at a time', () => {
  it('coalesces requests that arrive while one waits, and never overlaps work on one key', async () => {
    let running = 0;
    let overlapped = false;
    const calls: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const queue = new ReconcileQueue({
      retryMs: 10,
      logger,
      what: 'test',
      reconcile: async (key) => {
        running += 1;
        overlapped ||= running > 1;
        calls.push(key);
        if (calls.length === 1) await gate;
        running -= 1;
      },
    });
    queue.schedule('a'); // runs, held at the gate
    await waitFor(() => calls.length === 1);
    queue.schedule('a'); // waits
    queue.schedule('a'); // joins the waiting one
    const exclusive = queue.exclusive('a', async () => {
      overlapped ||= running > 0;
      return 'done';
    });
    release();
    expect(await exclusive).toBe('done');
    await queue.idle();
    expect(calls).toEqual(['a', 'a']);
    expect(overlapped).toBe(false);
  });

  it('retries a failed reconcile with backoff, but not one refused as invalid', async () => {
    let attempts = 0;
    let invalid = 0;
    const queue = new ReconcileQueue({
      retryMs: 10,
      logger,
      what: 'test',
      reconcile: async (key) => {
        if (key === 'bad') {
          invalid += 1;
          throw new AppError('VALIDATION', 'no');
        }
        attempts += 1;
        if (attempts < 3) throw new AppError('UNAVAILABLE', 'down');
      },
    });
    queue.schedule('flaky');
    queue.schedule('bad');
    await waitFor(() => attempts === 3, { what: 'the third attempt' });
    await queue.stop();
    expect(invalid).toBe(1);
  });

  it('passes the error of exclusive work to its caller', async () => {
    const queue = new ReconcileQueue({ retryMs: 10, logger, what: 'test', reconcile: async () => undefined });
    await expect(queue.exclusive('a', async () => Promise.reject(new AppError('CONFLICT', 'busy')))).rejects.toThrow('busy');
    await queue.stop();
  });

  it('stops within its grace even when a reconcile never finishes, and waits for one that does', async () => {
    let started = 0;
    const stuck = new ReconcileQueue({ retryMs: 10, logger, what: 'test', reconcile: async () => { started += 1; await new Promise(() => undefined); } });
    stuck.schedule('a');
    await waitFor(() => started === 1);
    const at = Date.now();
    await stuck.stop(200);
    expect(Date.now() - at).toBeGreaterThanOrEqual(190);

    let finished = false;
    const slow = new ReconcileQueue({ retryMs: 10, logger, what: 'test', reconcile: async () => { await new Promise((r) => setTimeout(r, 50)); finished = true; } });
    slow.schedule('b');
    await slow.stop(5000);
    expect(finished).toBe(true);
  });
});
