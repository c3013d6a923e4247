import type { BreakerDto, RateLimitDto } from '@autoweave/contracts';
import { createBreaker, RateLimiter, type Breaker, type BreakerMetrics } from '@autoweave/resilience';

type Task<T> = () => Promise<T>;

export interface GuardConfig {
  rateLimit?: RateLimitDto;
  breaker?: BreakerDto;
}

/** The breaker and rate limiter of one integration. */
export interface Guards {
  /** Waits for (or is refused) a rate-limit token. */
  admit(): Promise<void>;
  /** Runs the call through the breaker; errors for which `countsAsFailure` is false do not trip it. */
  run<T>(task: Task<T>): Promise<T>;
  breakerState(): 'closed' | 'open' | 'halfOpen';
}

interface Entry {
  /** The registry revision the settings were last checked at: same revision, same guards, no work. */
  revision: number;
  fingerprint: string;
  guards: Guards;
  close(): void;
}

/**
 * One breaker and one token bucket per integration, kept across calls and
 * rebuilt when the integration's rateLimit/breaker settings change.
 * State is per hub replica: each replica protects the upstream from its own
 * share of the load.
 */
export class IntegrationGuards {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly options: {
      metrics?: BreakerMetrics;
      countsAsFailure: (err: unknown) => boolean;
      onStateChange?: (integrationId: string, state: 'closed' | 'open' | 'halfOpen') => void;
    },
  ) {}

  for(integrationId: string, revision: number, config: GuardConfig): Guards {
    const existing = this.entries.get(integrationId);
    if (existing?.revision === revision) return existing.guards;
    // A new revision may not touch these settings (a tag, a health change): keep the breaker's state then.
    const fingerprint = JSON.stringify([config.rateLimit, config.breaker]);
    if (existing?.fingerprint === fingerprint) {
      existing.revision = revision;
      return existing.guards;
    }
    existing?.close();
    const entry = this.build(integrationId, revision, config, fingerprint);
    this.entries.set(integrationId, entry);
    return entry.guards;
  }

  forget(integrationId: string): void {
    this.entries.get(integrationId)?.close();
    this.entries.delete(integrationId);
  }

  closeAll(): void {
    for (const id of [...this.entries.keys()]) this.forget(id);
  }

  private build(integrationId: string, revision: number, config: GuardConfig, fingerprint: string): Entry {
    const limiter = config.rateLimit
      ? new RateLimiter({ rate: config.rateLimit.rps, burst: config.rateLimit.burst ?? config.rateLimit.rps, queue: config.rateLimit.queue ?? 0 })
      : undefined;
    const breaker: Breaker<[Task<unknown>], unknown> = createBreaker(
      `integration:${integrationId}`,
      (task: Task<unknown>) => task(),
      {
        // Each call carries its own deadline (the upstream client aborts it and throws TIMEOUT, which
        // counts as a failure); a breaker-wide timeout would cut calls that asked for longer.
        timeout: false,
        errorThresholdPercentage: config.breaker?.errorThresholdPercentage,
        resetTimeout: config.breaker?.resetTimeoutMs,
        volumeThreshold: config.breaker?.volumeThreshold,
        errorFilter: (err) => !this.options.countsAsFailure(err),
      },
      this.options.metrics,
    );
    const changed = (): void => this.options.onStateChange?.(integrationId, breaker.state());
    breaker.circuit.on('open', changed);
    breaker.circuit.on('halfOpen', changed);
    breaker.circuit.on('close', changed);
    const guards: Guards = {
      admit: () => limiter?.acquire() ?? Promise.resolve(),
      run: <T>(task: Task<T>) => breaker.fire(task as Task<unknown>) as Promise<T>,
      breakerState: () => breaker.state(),
    };
    return {
      revision,
      fingerprint,
      guards,
      close: () => {
        limiter?.close();
        breaker.shutdown();
      },
    };
  }
}
