import type { K8sObject } from '../types.js';
import { metadata, type GenContext } from './context.js';

/**
 * monitoring.coreos.com/v1 ServiceMonitor when metrics are exposed (deploy.metricsPort, or GET
 * /metrics in the spec): scrapes the Service's "metrics" port (or "http" when metrics share it).
 */
export function serviceMonitor(ctx: GenContext): K8sObject | undefined {
  if (!ctx.metrics) return undefined;
  const endpoint: Record<string, unknown> = { port: ctx.metrics.portName, path: ctx.metrics.path, interval: '30s' };
  if (ctx.metrics.portName === 'http' && ctx.facts.scheme === 'HTTPS') {
    endpoint['scheme'] = 'https';
    endpoint['tlsConfig'] = { insecureSkipVerify: true };
  }
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: metadata(ctx, ctx.name),
    spec: { selector: { matchLabels: { ...ctx.selector } }, endpoints: [endpoint] },
  };
}
