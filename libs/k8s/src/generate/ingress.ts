import type { K8sObject } from '../types.js';
import { metadata, type GenContext } from './context.js';

export const BACKEND_PROTOCOL_ANNOTATION = 'nginx.ingress.kubernetes.io/backend-protocol';

/**
 * networking.k8s.io/v1 Ingress for deploy.ingress.host (undefined without one). Paths: see
 * ingressPaths (distinct first segments of the spec's paths as Prefix paths, sorted). tls: true uses
 * the Secret `<name>-tls`. An https upstream gets the ingress-nginx backend-protocol HTTPS annotation.
 */
export function ingress(ctx: GenContext): K8sObject | undefined {
  const cfg = ctx.deploy.ingress;
  if (!cfg) return undefined;
  const annotations = ctx.facts.scheme === 'HTTPS' ? { [BACKEND_PROTOCOL_ANNOTATION]: 'HTTPS' } : undefined;
  const spec: Record<string, unknown> = {};
  if (cfg.className !== undefined) spec['ingressClassName'] = cfg.className;
  if (cfg.tls !== false) {
    spec['tls'] = [{ hosts: [cfg.host], secretName: cfg.tls === true ? `${ctx.name}-tls` : cfg.tls.secretName }];
  }
  spec['rules'] = [
    {
      host: cfg.host,
      http: {
        paths: ctx.facts.ingressPaths.map((path) => ({
          path,
          pathType: 'Prefix',
          backend: { service: { name: ctx.name, port: { name: 'http' } } },
        })),
      },
    },
  ];
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: metadata(ctx, ctx.name, annotations), spec };
}
