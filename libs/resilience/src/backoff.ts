export interface BackoffPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Growth factor per attempt; default 2. */
  multiplier?: number;
}

/**
 * Delay before retrying after the given failed attempt (1-based), with full
 * jitter: uniformly random in [0, min(max, initial * multiplier^(attempt-1))).
 * Full jitter spreads clients that failed together, so they do not retry in
 * lockstep against an upstream that is just recovering.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * (policy.multiplier ?? 2) ** exponent);
  return Math.floor(random() * ceiling);
}
