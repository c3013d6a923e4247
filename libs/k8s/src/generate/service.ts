import type { K8sObject } from '../types.js';
import { metadata, type GenContext } from './context.js';

/** v1 Service (ClusterIP): port "http" (the container port), and "metrics" when metrics have their own port. */
export function service(ctx: GenContext): K8sObject {
  const ports: Array<Record<string, unknown>> = [{ name: 'http', port: ctx.facts.port, targetPort: 'http', protocol: 'TCP' }];
  if (ctx.metrics?.port !== undefined) ports.push({ name: 'metrics', port: ctx.metrics.port, targetPort: 'metrics', protocol: 'TCP' });
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(ctx, ctx.name),
    spec: { type: 'ClusterIP', selector: { ...ctx.selector }, ports },
  };
}
