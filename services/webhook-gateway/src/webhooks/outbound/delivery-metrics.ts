import { redeliveryMetrics, singleMetric, type DeliveryInfo, type Registry } from '@autoweave/observability';
import { Counter, Histogram } from 'prom-client';

export interface DeliveryMetrics {
  attempt(outcome: 'succeeded' | 'failed', latencyMs: number): void;
  dead(): void;
  /** A message pulled from an endpoint's consumer; counts it when it is a redelivery. */
  received(info: DeliveryInfo): void;
}

/**
 * `autoweave_webhook_attempts_total{outcome}`, `autoweave_webhook_attempt_duration_seconds`
 * and `autoweave_webhook_dead_letters_total`. No per-endpoint label: endpoints are
 * user data and unbounded; DELIVERIES has the per-endpoint detail. Redeliveries
 * go to the shared `autoweave_jetstream_redeliveries_total{stream, consumer}`;
 * the backlog and stored dead letters per endpoint are sampled on scrape
 * (delivery-backlog-metrics.ts).
 */
export function deliveryMetrics(registry: Registry): DeliveryMetrics {
  const attempts = singleMetric(registry, 'autoweave_webhook_attempts_total', () =>
    new Counter({ name: 'autoweave_webhook_attempts_total', help: 'Outbound webhook attempts by outcome', labelNames: ['outcome'] as const, registers: [registry] }),
  );
  const duration = singleMetric(registry, 'autoweave_webhook_attempt_duration_seconds', () =>
    new Histogram({
      name: 'autoweave_webhook_attempt_duration_seconds',
      help: 'Time of one outbound webhook POST',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  );
  const dead = singleMetric(registry, 'autoweave_webhook_dead_letters_total', () =>
    new Counter({ name: 'autoweave_webhook_dead_letters_total', help: 'Outbound webhooks dead-lettered after their last attempt', registers: [registry] }),
  );
  const redeliveries = redeliveryMetrics(registry);
  return {
    received: (info) => redeliveries.seen(info),
    attempt(outcome, latencyMs) {
      attempts.inc({ outcome });
      duration.observe(latencyMs / 1000);
    },
    dead: () => dead.inc(),
  };
}
