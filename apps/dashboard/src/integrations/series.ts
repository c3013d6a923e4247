import type { IntegrationLogEntry } from '@autoweave/contracts';

/** The parts of a call log entry (GET .../logs) the series are made of. */
export type CallLogEntry = Pick<IntegrationLogEntry, 'ts' | 'kind' | 'outcome' | 'durationMs'>;

export interface Series {
  /** Calls per minute. */
  rate: Array<{ t: number; v: number }>;
  /** Share of failed calls per minute, in percent. */
  errorRate: Array<{ t: number; v: number }>;
  /** 95th percentile latency per minute, in ms. */
  latency: Array<{ t: number; v: number }>;
}

const MINUTE = 60_000;

/**
 * Per-minute series from the integration's call log (GET .../logs): the
 * metrics route gives one window's totals, the log gives their history.
 * Minutes without calls are 0 for the rate and absent for the others.
 */
export function callSeries(entries: readonly CallLogEntry[], from: number, to: number): Series {
  const calls = entries.filter((e) => e.kind === 'request');
  const buckets = new Map<number, CallLogEntry[]>();
  for (const call of calls) {
    const t = Date.parse(call.ts);
    if (!(t >= from && t <= to)) continue;
    const minute = Math.floor(t / MINUTE) * MINUTE;
    (buckets.get(minute) ?? buckets.set(minute, []).get(minute)!).push(call);
  }
  const series: Series = { rate: [], errorRate: [], latency: [] };
  for (let minute = Math.floor(from / MINUTE) * MINUTE; minute <= to; minute += MINUTE) {
    const bucket = buckets.get(minute) ?? [];
    series.rate.push({ t: minute, v: bucket.length });
    if (bucket.length === 0) continue;
    const failed = bucket.filter((c) => c.outcome !== 'ok').length;
    series.errorRate.push({ t: minute, v: Math.round((failed / bucket.length) * 1000) / 10 });
    const durations = bucket.map((c) => c.durationMs).sort((a, b) => a - b);
    series.latency.push({ t: minute, v: durations[Math.max(0, Math.ceil(0.95 * durations.length) - 1)]! });
  }
  return series;
}
