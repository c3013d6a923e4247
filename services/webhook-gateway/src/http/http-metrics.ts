import { singleMetric, type Registry } from '@autoweave/observability';
import { Counter, Histogram } from 'prom-client';

export interface HttpMetrics {
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route'>;
}

/** `autoweave_http_requests_total{method,route,status}` and `autoweave_http_request_duration_seconds{method,route}`. */
export function httpMetrics(registry: Registry): HttpMetrics {
  const requests = singleMetric(registry, 'autoweave_http_requests_total', () =>
    new Counter({
      name: 'autoweave_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
  );
  const duration = singleMetric(registry, 'autoweave_http_request_duration_seconds', () =>
    new Histogram({
      name: 'autoweave_http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to finishing its response',
      labelNames: ['method', 'route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  );
  return { requests, duration };
}
