import { AppError } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';

interface KeyState {
  /** The tail of this key's chain: work on one key never overlaps. */
  tail: Promise<void>;
  /** A reconcile is waiting in the chain (later requests for the key join it). */
  pending: boolean;
  failures: number;
  retry?: NodeJS.Timeout;
}

export interface ReconcileQueueOptions {
  /** Brings one key's pipelines in line with what its integration says now; reads the current state itself. */
  reconcile: (key: string) => Promise<void>;
  /** First retry delay after a failure; doubles per failure up to a minute. */
  retryMs: number;
  logger: Logger;
  what: string;
}

const MAX_RETRY_MS = 60_000;
/**
 * How long `stop` waits for reconciles in progress. They are level-triggered
 * (each reads the current state, and every start replays the registry), so
 * one cut short at shutdown is redone at the next start; waiting longer would
 * let a reconcile that waits on a run (or on the bus) hold the process past
 * its shutdown bound.
 */
const STOP_GRACE_MS = 3000;

/**
 * Runs reconciles one at a time per key (an integration), coalescing
 * requests that arrive while one waits (each reconcile reads the current
 * state, so one run serves them all), and retrying a failed one with
 * backoff: a change seen while NATS or a database was unreachable is applied
 * once it is back, not lost.
 */
export class ReconcileQueue {
  private readonly keys = new Map<string, KeyState>();
  private stopped = false;

  constructor(private readonly options: ReconcileQueueOptions) {}

  /** Asks for a reconcile of `key` soon (fire and forget). */
  schedule(key: string): void {
    if (this.stopped) return;
    const state = this.state(key);
    if (state.pending) return;
    state.pending = true;
    clearTimeout(state.retry);
    state.retry = undefined;
    this.chain(state, async () => {
      state.pending = false;
      try {
        await this.options.reconcile(key);
        state.failures = 0;
      } catch (err) {
        this.failed(key, state, err);
      }
    });
  }

  /** Runs `work` for `key` in turn with its reconciles, and resolves (or rejects) with it. */
  exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    const state = this.state(key);
    return new Promise<T>((resolve, reject) => this.chain(state, () => work().then(resolve, reject)));
  }

  /** Resolves when no key has work queued or running (retries waiting on a timer do not count). */
  async idle(): Promise<void> {
    for (;;) {
      const tails = [...this.keys.values()].map((s) => s.tail);
      await Promise.all(tails);
      if ([...this.keys.values()].every((s, i) => s.tail === tails[i])) return;
    }
  }

  /** No new work, no retries; resolves when what runs has finished, or after a short grace. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    this.stopped = true;
    for (const state of this.keys.values()) clearTimeout(state.retry);
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = await Promise.race([
      this.idle().then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (gaveUp) this.options.logger.warn({ graceMs }, `${this.options.what}: stopped with work in progress; the next start redoes it`);
  }

  private state(key: string): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = { tail: Promise.resolve(), pending: false, failures: 0 };
      this.keys.set(key, state);
    }
    return state;
  }

  private chain(state: KeyState, step: () => Promise<void>): void {
    state.tail = state.tail.then(step, step);
  }

  private failed(key: string, state: KeyState, err: unknown): void {
    if (err instanceof AppError && err.code === 'VALIDATION') {
      // Trying again cannot fix a definition; the next change of the integration will.
      this.options.logger.warn({ key, err: err.message }, `${this.options.what} refused`);
      return;
    }
    state.failures += 1;
    const delay = Math.min(MAX_RETRY_MS, this.options.retryMs * 2 ** (state.failures - 1));
    this.options.logger.warn({ key, attempt: state.failures, retryInMs: delay, err: err instanceof Error ? err.message : String(err) }, `${this.options.what} failed; retrying`);
    if (this.stopped) return;
    state.retry = setTimeout(() => this.schedule(key), delay);
    state.retry.unref();
  }
}
