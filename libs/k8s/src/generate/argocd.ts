import type { K8sObject } from '../types.js';
import type { GenContext } from './context.js';

export const ARGOCD_NAMESPACE = 'argocd';

/**
 * argoproj.io/v1alpha1 Application (when deploy.argocd is given) in the argocd namespace, syncing
 * the repo path (which holds the generated kustomization) into the integration's namespace. It is
 * not listed in kustomization.yaml: it points at that directory rather than being part of it.
 */
export function argoApplication(ctx: GenContext): K8sObject | undefined {
  const a = ctx.deploy.argocd;
  if (!a) return undefined;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: ctx.name, namespace: ARGOCD_NAMESPACE, labels: { ...ctx.labels } },
    spec: {
      project: a.project,
      source: { repoURL: a.repoURL, path: a.path, targetRevision: a.targetRevision },
      destination: { server: a.destinationServer, namespace: ctx.namespace },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
    },
  };
}
