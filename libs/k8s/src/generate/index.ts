import type { GenerateInput, K8sObject, ManifestSet } from '../types.js';
import { argoApplication } from './argocd.js';
import { configMap } from './configmap.js';
import { buildContext } from './context.js';
import { deployment } from './deployment.js';
import { hpa } from './hpa.js';
import { ingress } from './ingress.js';
import { kustomization } from './kustomization.js';
import { networkPolicy } from './network-policy.js';
import { pdb } from './pdb.js';
import { service } from './service.js';
import { serviceMonitor } from './service-monitor.js';
import { toYaml } from './yaml.js';

export { k8sName, isK8sName, shortHash, K8S_NAME_MAX_LENGTH, NAME_SUFFIXES } from './names.js';
export {
  defaultDeployConfig,
  resolveDeployConfig,
  checkImage,
  isIngressHost,
  type ResolvedDeployConfig,
  type ResolvedResources,
} from './defaults.js';
export { parseResourceQuantity } from './quantity.js';
export { toYaml, toMultiDocYaml, stableJson, YAML_OPTIONS } from './yaml.js';
export { apiFacts, ingressPaths, type ApiFacts } from './api-facts.js';
export { credentialEnv, credentialParts, requiredSchemes, type CredentialEnv } from './credentials.js';
export {
  LABEL_NAME,
  LABEL_INSTANCE,
  LABEL_COMPONENT,
  LABEL_PART_OF,
  LABEL_MANAGED_BY,
  PART_OF,
  MANAGED_BY,
  COMPONENT_INTEGRATION,
} from './labels.js';
export { SPEC_MOUNT_DIR, SPEC_KEY, SPEC_KEY_GZIP } from './context.js';
export { CONTAINER_NAME } from './deployment.js';
export { PLATFORM_CALLERS } from './network-policy.js';

/** File name of each generated kind, in the order of ManifestSet.objects. */
export const MANIFEST_FILES: Readonly<Record<string, string>> = Object.freeze({
  ConfigMap: 'configmap.yaml',
  Service: 'service.yaml',
  Deployment: 'deployment.yaml',
  HorizontalPodAutoscaler: 'hpa.yaml',
  PodDisruptionBudget: 'pdb.yaml',
  NetworkPolicy: 'networkpolicy.yaml',
  Ingress: 'ingress.yaml',
  ServiceMonitor: 'servicemonitor.yaml',
  Application: 'argocd-application.yaml',
});

/**
 * OpenAPI description + deploy config in, a consistent set of Kubernetes objects out, in a fixed
 * order: ConfigMap, Service, Deployment, HorizontalPodAutoscaler, PodDisruptionBudget,
 * NetworkPolicy, then Ingress (with deploy.ingress), ServiceMonitor (when metrics are exposed) and
 * the Argo CD Application (with deploy.argocd). `files` holds one YAML file per object plus
 * kustomization.yaml (which lists all but the Argo CD Application). Deterministic: the same input
 * (whatever its key order) gives byte-identical files. A bad deploy config is
 * AppError('VALIDATION', 'deploy.<field>: ...', {field}).
 */
export function generateManifests(input: GenerateInput): ManifestSet {
  const ctx = buildContext(input);
  const objects: K8sObject[] = [configMap(ctx), service(ctx), deployment(ctx), hpa(ctx), pdb(ctx), networkPolicy(ctx)];
  for (const optional of [ingress(ctx), serviceMonitor(ctx)]) if (optional) objects.push(optional);
  const argo = argoApplication(ctx);
  if (argo) objects.push(argo);
  const files: Record<string, string> = {};
  const resources: string[] = [];
  for (const obj of objects) {
    const file = MANIFEST_FILES[obj.kind]!;
    files[file] = toYaml(obj);
    if (obj !== argo) resources.push(file);
  }
  files['kustomization.yaml'] = toYaml(kustomization(ctx.namespace, resources));
  return { objects, files };
}
