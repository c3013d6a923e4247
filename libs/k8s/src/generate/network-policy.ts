import type { K8sObject } from '../types.js';
import { metadata, type GenContext } from './context.js';
import { COMPONENT_INTEGRATION, LABEL_COMPONENT, LABEL_NAME, LABEL_PART_OF, PART_OF } from './labels.js';

/** The AutoWeave services allowed to call an integration. */
export const PLATFORM_CALLERS: readonly string[] = ['hub', 'webhook-gateway'];
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

function namespaceSelector(ns: string): Record<string, unknown> {
  return { matchLabels: { [NAMESPACE_NAME_LABEL]: ns } };
}

/**
 * networking.k8s.io/v1 NetworkPolicy on the integration's pods, Ingress only (egress is left open:
 * integrations call their upstream APIs). Admitted, to the "http" port:
 * - pods labelled app.kubernetes.io/name in [hub, webhook-gateway] and part-of autoweave, and not
 *   app.kubernetes.io/component=integration (so an integration named "hub" is not a caller), in the
 *   integration's namespace or deploy.networkPolicy.platformNamespace;
 * - the ingress controller's namespace (deploy.ingress.controllerNamespace, default ingress-nginx)
 *   when an Ingress is made.
 * And, to the metrics port, the monitoring namespace (default "monitoring") when metrics are exposed.
 */
export function networkPolicy(ctx: GenContext): K8sObject {
  const platformPeer: Record<string, unknown> = {
    podSelector: {
      matchLabels: { [LABEL_PART_OF]: PART_OF },
      matchExpressions: [
        { key: LABEL_NAME, operator: 'In', values: [...PLATFORM_CALLERS] },
        { key: LABEL_COMPONENT, operator: 'NotIn', values: [COMPONENT_INTEGRATION] },
      ],
    },
  };
  const platformNs = ctx.deploy.networkPolicy.platformNamespace;
  if (platformNs !== undefined && platformNs !== ctx.namespace) platformPeer['namespaceSelector'] = namespaceSelector(platformNs);
  const httpPort = [{ protocol: 'TCP', port: 'http' }];
  const ingress: Array<Record<string, unknown>> = [{ from: [platformPeer], ports: httpPort }];
  if (ctx.deploy.ingress) {
    ingress.push({ from: [{ namespaceSelector: namespaceSelector(ctx.deploy.ingress.controllerNamespace) }], ports: httpPort });
  }
  if (ctx.metrics) {
    ingress.push({
      from: [{ namespaceSelector: namespaceSelector(ctx.deploy.networkPolicy.monitoringNamespace) }],
      ports: [{ protocol: 'TCP', port: ctx.metrics.portName }],
    });
  }
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metadata(ctx, ctx.name),
    spec: { podSelector: { matchLabels: { ...ctx.selector } }, policyTypes: ['Ingress'], ingress },
  };
}
