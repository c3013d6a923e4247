/** kustomize.config.k8s.io/v1beta1 Kustomization listing the resource files, with the namespace. */
export function kustomization(namespace: string, resources: readonly string[]): Record<string, unknown> {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace,
    resources: [...resources],
  };
}
