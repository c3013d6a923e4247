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
