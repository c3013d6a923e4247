import type { IntegrationLogEntry, IntegrationMetrics } from '@autoweave/contracts';

/** Counts, error rate and latency percentiles of the calls in a window (pure, for the metrics verb). */
export function windowStats(integrationId: string, windowSeconds: number, entries: IntegrationLogEntry[]): IntegrationMetrics {
  const calls = entries.filter((e) => e.kind === 'request');
  const byOutcome: Record<string, number> = {};
  for (const call of calls) byOutcome[call.outcome] = (byOutcome[call.outcome] ?? 0) + 1;
  const errors = calls.length - (byOutcome.ok ?? 0);
  const durations = calls.map((c) => c.durationMs).sort((a, b) => a - b);
  return {
    integrationId,
    windowSeconds,
    requests: calls.length,
    errors,
    errorRate: calls.length === 0 ? 0 : round(errors / calls.length),
    byOutcome,
    latencyMs:
      durations.length === 0
        ? null
        : { p50: percentile(durations, 0.5), p95: percentile(durations, 0.95), p99: percentile(durations, 0.99), max: durations.at(-1)! },
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
