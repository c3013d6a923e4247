/** Each scheduled delay is spread by up to this fraction either way, so failed messages do not retry in lockstep. */
export const JITTER_FRACTION = 0.2;
/** A receiver's Retry-After is honoured up to a day; beyond that the message would outlive the stream's retention anyway. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/** What happens after a failed attempt: another one after `delayMs`, or none (the message is dead). */
export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

/**
 * After failed attempt `attempt` (1-based) of a message whose schedule is
 * `scheduleMs` (delays before attempts 2..n): retry after the scheduled delay
 * with jitter, or after the receiver's Retry-After when it sent one, or not at
 * all once `attempt` reaches the last one (schedule length + 1).
 */
export function retryDecision(scheduleMs: readonly number[], attempt: number, retryAfterMs?: number, random: () => number = Math.random): RetryDecision {
  if (attempt > scheduleMs.length) return { retry: false };
  if (retryAfterMs !== undefined) return { retry: true, delayMs: Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.round(retryAfterMs))) };
  const base = scheduleMs[Math.max(0, attempt - 1)]!;
  return { retry: true, delayMs: withJitter(base, random) };
}

/** base +- JITTER_FRACTION, uniformly. */
export function withJitter(base: number, random: () => number = Math.random): number {
  return Math.max(0, Math.round(base * (1 - JITTER_FRACTION + 2 * JITTER_FRACTION * random())));
}
