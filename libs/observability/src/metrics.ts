import { collectDefaultMetrics, Counter, Histogram, Registry, type Metric } from 'prom-client';

export { Registry } from 'prom-client';

/** A registry with Node's default metrics, every series labelled with the service. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'autoweave_' });
  return registry;
}

/** Returns the metric already registered under `name`, or registers the one `make` builds. */
export function singleMetric<M extends Metric>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

/** The standard metrics of handling bus messages, shared by every service. */
export function busMetrics(registry: Registry): { handled: Counter<'subject' | 'outcome'>; duration: Histogram<'subject'> } {
  const handled = singleMetric(registry, 'autoweave_bus_messages_total', () =>
    new Counter({
      name: 'autoweave_bus_messages_total',
      help: 'Request messages handled, by subject and outcome (ok or the error code)',
      labelNames: ['subject', 'outcome'] as const,
      registers: [registry],
    }),
  );
  const duration = singleMetric(registry, 'autoweave_bus_handler_duration_seconds', () =>
    new Histogram({
      name: 'autoweave_bus_handler_duration_seconds',
      help: 'Time spent handling a request message',
      labelNames: ['subject'] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
  );
  return { handled, duration };
}

/** What a JetStream message says about its delivery (nats.js `JsMsg.info` has these fields). */
export interface DeliveryInfo {
  stream: string;
  consumer: string;
  deliveryCount: number;
}

/**
 * `autoweave_jetstream_redeliveries_total{stream, consumer}`: messages a
 * service's consumer received again (JetStream's delivery count above 1: a
 * nak, an ack wait that ran out, a replica that died holding it). Shared by
 * every service that consumes a durable consumer; call `seen(msg.info)` on
 * each message received.
 */
export function redeliveryMetrics(registry: Registry): { seen(info: DeliveryInfo): void } {
  const redeliveries = singleMetric(registry, 'autoweave_jetstream_redeliveries_total', () =>
    new Counter({
      name: 'autoweave_jetstream_redeliveries_total',
      help: 'JetStream messages received again by a consumer (delivery count above 1), by stream and consumer',
      labelNames: ['stream', 'consumer'] as const,
      registers: [registry],
    }),
  );
  return {
    seen(info) {
      if (info.deliveryCount > 1) redeliveries.inc({ stream: info.stream, consumer: info.consumer });
    },
  };
}
