/**
 * A source of time in milliseconds. Injected wherever time matters so tests can
 * drive it by hand instead of sleeping.
 */
export interface Clock {
  now(): number;
}

/** Wall-clock time. Consumers only use differences and tolerate it stepping backwards. */
export const systemClock: Clock = { now: () => Date.now() };
