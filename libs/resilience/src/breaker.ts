import { AppError } from '@autoweave/contracts';
import CircuitBreaker from 'opossum';
import type { BreakerMetrics } from './breaker-metrics.js';

export type BreakerState = 'closed' | 'open' | 'halfOpen';
export type BreakerStats = CircuitBreaker.Stats;

export interface BreakerOptions {
  /** ms before a call counts as failed and the caller gets TIMEOUT; false disables. */
  timeout: number | false;
  /** Failure percentage within the rolling window that opens the circuit. */
  errorThresholdPercentage: number;
  /** ms the circuit stays open before letting one probe call through (half-open). */
  resetTimeout: number;
  /** Calls needed in the window before the circuit may open, so two early failures cannot trip it. */
  volumeThreshold: number;
  /** Length of the rolling statistics window in ms. */
  rollingCountTimeout: number;
  /** Buckets the window is split into; must divide rollingCountTimeout. */
  rollingCountBuckets: number;
  /**
   * Returns true for errors that must not count as failures, e.g. an upstream
   * 4xx: the caller's request was wrong, the upstream is healthy. Such errors
   * still reach the caller unchanged.
   */
  errorFilter?: (err: unknown) => boolean;
}

export const DEFAULT_BREAKER_OPTIONS: Readonly<BreakerOptions> = Object.freeze({
  timeout: 10_000,
  errorThresholdPercentage: 50,
  resetTimeout: 30_000,
  volumeThreshold: 5,
  rollingCountTimeout: 10_000,
  rollingCountBuckets: 10,
});

export interface Breaker<A extends unknown[], R> {
  readonly name: string;
  /** The opossum instance, for what this wrapper does not cover (fallback, health checks, events). */
  readonly circuit: CircuitBreaker<A, R>;
  /** Calls fn through the breaker. Rejects with UNAVAILABLE when open, TIMEOUT on timeout, else fn's own error. */
  fire(...args: A): Promise<R>;
  state(): BreakerState;
  /**
   * For hot paths that cannot afford opossum's promise, closures and semaphore
   * per call: while this is true (closed, not shut down) the caller may make
   * the call itself and report it with `record`; otherwise it must use `fire`
   * (an open circuit refuses, a half-open one lets one probe through).
   */
  admitsDirectCalls(): boolean;
  /**
   * Counts a call made directly as `fire` would: the fire and its outcome in
   * the rolling window (and the metrics), then the circuit opens when the
   * window holds enough calls and too many failed.
   */
  record(outcome: { failure?: Error; latencyMs: number }): void;
  stats(): BreakerStats;
  /** Stops the breaker's timers; later calls reject with UNAVAILABLE. */
  shutdown(): void;
}

/** Wraps fn in an opossum circuit breaker whose failures come out as AppErrors. */
export function createBreaker<A extends unknown[], R>(
  name: string,
  fn: (...args: A) => Promise<R>,
  opts: Partial<BreakerOptions> = {},
  metrics?: BreakerMetrics,
): Breaker<A, R> {
  const options: BreakerOptions = { ...DEFAULT_BREAKER_OPTIONS, ...definedOnly(opts) };
  const circuit = new CircuitBreaker<A, R>(fn, {
    name,
    timeout: options.timeout,
    errorThresholdPercentage: options.errorThresholdPercentage,
    resetTimeout: options.resetTimeout,
    volumeThreshold: options.volumeThreshold,
    rollingCountTimeout: options.rollingCountTimeout,
    rollingCountBuckets: options.rollingCountBuckets,
    errorFilter: ownErrorsAlwaysCount(options.errorFilter),
  });
  metrics?.attach(name, circuit);
  return {
    name,
    circuit,
    fire: (...args) => circuit.fire(...args).catch((err: unknown) => Promise.reject(translateError(name, options, err))),
    state: () => stateOf(circuit),
    admitsDirectCalls: () => circuit.closed && !circuit.isShutdown,
    record: (outcome) => recordDirectCall(circuit, options.errorThresholdPercentage, outcome),
    stats: () => circuit.stats,
    shutdown: () => circuit.shutdown(),
  };
}

/**
 * opossum also runs its own timeout and rejection errors through errorFilter;
 * a filter written for upstream errors (say "no HTTP status >= 500") would
 * otherwise match a timeout and stop timeouts from ever opening the circuit.
 */
function ownErrorsAlwaysCount(filter: BreakerOptions['errorFilter']): ((err: unknown) => boolean) | undefined {
  if (!filter) return undefined;
  return (err) => !isOpossumError(err) && filter(err);
}

/** opossum's own accounting of one call (its fire(), then its success or fail), for a call made outside fire(). */
function recordDirectCall<A extends unknown[], R>(
  circuit: CircuitBreaker<A, R>,
  errorThresholdPercentage: number,
  { failure, latencyMs }: { failure?: Error; latencyMs: number },
): void {
  circuit.emit('fire', []);
  if (!failure) {
    circuit.emit('success', undefined, latencyMs);
    return;
  }
  circuit.emit('failure', failure, latencyMs, []);
  if (circuit.warmUp) return;
  const { fires, failures } = circuit.stats;
  if (fires < circuit.volumeThreshold && !circuit.halfOpen) return;
  if ((failures / fires) * 100 > errorThresholdPercentage || circuit.halfOpen) circuit.open();
}

function stateOf(circuit: { readonly opened: boolean; readonly halfOpen: boolean }): BreakerState {
  if (circuit.opened) return 'open';
  if (circuit.halfOpen) return 'halfOpen';
  return 'closed';
}

/** Errors opossum raises itself become AppErrors; errors from fn pass through untouched. */
function translateError(name: string, options: BreakerOptions, err: unknown): unknown {
  if (!isOpossumError(err)) return err;
  const cause = { cause: err };
  switch (err.code) {
    case 'EOPENBREAKER':
      return new AppError('UNAVAILABLE', `circuit breaker "${name}" is open`, { breaker: name }, cause);
    case 'ETIMEDOUT':
      return new AppError(
        'TIMEOUT',
        `circuit breaker "${name}" timed out after ${options.timeout}ms`,
        { breaker: name, timeoutMs: options.timeout },
        cause,
      );
    case 'ESHUTDOWN':
      return new AppError('UNAVAILABLE', `circuit breaker "${name}" is shut down`, { breaker: name }, cause);
    default:
      return new AppError('UNAVAILABLE', `circuit breaker "${name}" rejected the call`, { breaker: name, reason: err.code }, cause);
  }
}

function isOpossumError(err: unknown): err is Error & { code?: string } {
  return err instanceof Error && CircuitBreaker.isOurError(err);
}

// `{timeout: undefined}` from a config file must not wipe out the default.
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
