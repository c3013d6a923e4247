import type { ParsedApi } from '@autoweave/openapi';

/** A Kubernetes object as plain JSON. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export interface ResourceAmounts {
  cpu?: string;
  memory?: string;
}

/** How an integration is deployed. Everything has a default except the image (see GenerateInput). */
export interface DeployConfig {
  image?: string;
  namespace?: string;
  replicas?: number;
  resources?: { requests?: ResourceAmounts; limits?: ResourceAmounts };
  /** Container port; default: the port of the spec's first server URL, else 8080. */
  port?: number;
  /** Port of /metrics; a ServiceMonitor is made when set (or when the spec has a /metrics path). */
  metricsPort?: number;
  /**
   * An Ingress is made when set. `controllerNamespace` (default "ingress-nginx") is the namespace of
   * the ingress controller, which the NetworkPolicy then admits.
   */
  ingress?: { host: string; tls?: boolean | { secretName: string }; className?: string; controllerNamespace?: string };
  autoscaling?: { min: number; max: number; cpu: number };
  env?: Record<string, string>;
  labels?: Record<string, string>;
  /**
   * Where the NetworkPolicy admits traffic from. `platformNamespace`: the namespace of the AutoWeave
   * webhook-gateway and hub pods (default: the integration's own namespace). `monitoringNamespace`
   * (default "monitoring"): Prometheus, admitted to the metrics port when metrics are exposed.
   */
  networkPolicy?: { platformNamespace?: string; monitoringNamespace?: string };
  /** An Argo CD Application pointing at a repo path. */
  argocd?: { repoURL: string; path: string; targetRevision?: string; project?: string; destinationServer?: string };
}

export interface GenerateInput {
  /** The integration's name: the source of every object name (DNS-1123, shortened with a stable hash). */
  name: string;
  integrationId?: string;
  api: ParsedApi;
  /**
   * The OpenAPI document as the user gave it (JSON-safe object). The spec ConfigMap holds it when
   * given; without it the ConfigMap holds `api` (the ParsedApi) as JSON.
   */
  spec?: unknown;
  deploy: DeployConfig;
  /** The project's integration runtime image, used when deploy.image is absent. */
  runtimeImage: string;
}

/** The generated set: the objects in a fixed order and the files a kustomize directory holds. */
export interface ManifestSet {
  objects: K8sObject[];
  /** File name -> content; includes kustomization.yaml. Deterministic: same input, same bytes. */
  files: Record<string, string>;
}

export interface ValidationIssue {
  kind: string;
  name: string;
  /** JSON pointer into the object, e.g. /spec/template/spec/containers/0/ports/0/containerPort */
  path: string;
  message: string;
}

export interface ValidationResult {
  valid: boolean;
  /** The Kubernetes version whose schemas were used. */
  kubernetesVersion: string;
  errors: ValidationIssue[];
}
