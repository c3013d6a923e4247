import { singleMetric, type Registry } from '@autoweave/observability';
import { Counter } from 'prom-client';

/**
 * What became of an inbound webhook: stored, a replay of a stored one, refused
 * for its signature or timestamp, its body (before or after verification), its
 * integration (unknown or disabled), or not stored because JetStream failed.
 */
export const INBOUND_OUTCOMES = ['accepted', 'duplicate', 'unauthorized', 'invalid', 'too_large', 'not_found', 'disabled', 'error'] as const;
export type InboundOutcome = (typeof INBOUND_OUTCOMES)[number];

export const INBOUND_METRIC = 'webhook_inbound_total';

/** Label value for requests to an id that is no webhook integration: ids from the URL would make labels unbounded. */
export const UNKNOWN_INTEGRATION = 'unknown';

/** `webhook_inbound_total{integration,outcome}`, with the per-label children cached (no label hashing per request). */
export class InboundMetrics {
  private readonly counter: Counter<'integration' | 'outcome'>;
  private readonly children = new Map<InboundOutcome, Map<string, Counter.Internal>>();

  constructor(registry: Registry) {
    this.counter = singleMetric(registry, INBOUND_METRIC, () =>
      new Counter({
        name: INBOUND_METRIC,
        help: 'Inbound webhooks (POST /webhooks/:id) by integration and outcome',
        labelNames: ['integration', 'outcome'] as const,
        registers: [registry],
      }),
    );
    for (const outcome of INBOUND_OUTCOMES) this.children.set(outcome, new Map());
  }

  count(integration: string, outcome: InboundOutcome): void {
    const byIntegration = this.children.get(outcome)!;
    let child = byIntegration.get(integration);
    if (!child) {
      child = this.counter.labels(integration, outcome);
      byIntegration.set(integration, child);
    }
    child.inc();
  }

  /** Drops the series of a deleted integration. */
  forget(integration: string): void {
    for (const [outcome, byIntegration] of this.children) {
      if (byIntegration.delete(integration)) this.counter.remove(integration, outcome);
    }
  }
}
