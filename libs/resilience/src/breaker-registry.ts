import type { BreakerMetrics } from './breaker-metrics.js';
import { createBreaker, type Breaker, type BreakerOptions } from './breaker.js';

export interface BreakerRegistryOptions {
  /** Options every breaker starts from; per-breaker options override them. */
  defaults?: Partial<BreakerOptions>;
  metrics?: BreakerMetrics;
}

/**
 * One breaker per name (a service keeps one per integration), so every call
 * to the same upstream shares its failure statistics and open state.
 */
export class BreakerRegistry {
  // Breakers of different signatures share the map; get() restores the caller's types.
  private readonly breakers = new Map<string, Breaker<never, unknown>>();

  constructor(private readonly options: BreakerRegistryOptions = {}) {}

  /**
   * The breaker registered under name, created from fn and opts on first use.
   * Later calls return that breaker as is: fn and opts are ignored, so callers
   * must agree on one function signature per name.
   */
  get<A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>, opts: Partial<BreakerOptions> = {}): Breaker<A, R> {
    const existing = this.breakers.get(name);
    if (existing) return existing as unknown as Breaker<A, R>;
    const breaker = createBreaker(name, fn, { ...this.options.defaults, ...opts }, this.options.metrics);
    this.breakers.set(name, breaker as unknown as Breaker<never, unknown>);
    return breaker;
  }

  has(name: string): boolean {
    return this.breakers.has(name);
  }

  names(): string[] {
    return [...this.breakers.keys()];
  }

  /** Shuts every breaker down and forgets them; for service shutdown. */
  shutdownAll(): void {
    for (const breaker of this.breakers.values()) breaker.shutdown();
    this.breakers.clear();
  }
}
