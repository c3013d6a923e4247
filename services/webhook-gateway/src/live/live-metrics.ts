import { singleMetric, type Registry } from '@autoweave/observability';
import { Counter, Gauge } from 'prom-client';

/** Why an upgrade to `/ws` was refused (a closed set: bounded label values). */
export type RefusalReason = 'unauthorized' | 'key_in_url' | 'capacity' | 'closing' | 'not_found';

/** Metrics of the WebSocket API. */
export class LiveMetrics {
  readonly connections: Gauge;
  readonly delivered: Counter;
  readonly dropped: Counter;
  readonly refused: Counter<'reason'>;
  readonly closedDead: Counter;

  constructor(registry: Registry) {
    this.connections = singleMetric(registry, 'autoweave_ws_connections', () =>
      new Gauge({ name: 'autoweave_ws_connections', help: 'Open WebSocket connections on /ws (authenticated or not)', registers: [registry] }),
    );
    this.delivered = singleMetric(registry, 'autoweave_ws_events_delivered_total', () =>
      new Counter({ name: 'autoweave_ws_events_delivered_total', help: 'Event frames handed to WebSocket clients (one per recipient)', registers: [registry] }),
    );
    this.dropped = singleMetric(registry, 'autoweave_ws_events_dropped_total', () =>
      new Counter({ name: 'autoweave_ws_events_dropped_total', help: 'Event frames discarded because a client did not keep up', registers: [registry] }),
    );
    this.refused = singleMetric(registry, 'autoweave_ws_refused_total', () =>
      new Counter({ name: 'autoweave_ws_refused_total', help: 'Upgrades to /ws refused, by reason', labelNames: ['reason'] as const, registers: [registry] }),
    );
    this.closedDead = singleMetric(registry, 'autoweave_ws_dead_connections_total', () =>
      new Counter({ name: 'autoweave_ws_dead_connections_total', help: 'WebSocket connections closed because they did not answer a ping', registers: [registry] }),
    );
  }
}
