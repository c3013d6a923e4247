/**
 * The schema source: the precompiled (ajv standalone) validators that `kubernetes-models` 5.1.0 ships
 * for the Kubernetes OpenAPI definitions (its 5.x line is generated from Kubernetes v1.36.0), plus the
 * CRD packages `@kubernetes-models/prometheus-operator` 6.0.0 (ServiceMonitor, PodMonitor,
 * PrometheusRule) and `@kubernetes-models/argo-cd` 4.0.0 (Application, AppProject). Nothing is fetched:
 * the validators are plain JavaScript inside the installed packages.
 *
 * Each model class carries its validator as `prototype.validate` (it throws an ajv ValidationError
 * whose `errors` lists every problem: the validators are compiled with allErrors). We call it on the
 * object itself (`Model.prototype.validate.call(obj)`) so the object is not copied: strict.ts hands in a
 * tracking proxy and learns which fields each schema knows.
 */
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { LimitRange } from 'kubernetes-models/v1/LimitRange';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { IngressClass } from 'kubernetes-models/networking.k8s.io/v1/IngressClass';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';

/** The Kubernetes version whose OpenAPI definitions the bundled validators were generated from. */
export const DEFAULT_KUBERNETES_VERSION = '1.36';
/** The Kubernetes versions this validator can state (the bundled schemas are of one version). */
export const SUPPORTED_KUBERNETES_VERSIONS: readonly string[] = [DEFAULT_KUBERNETES_VERSION];

/** One error of a compiled validator (the ajv ErrorObject fields we read). */
export interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** Runs a kind's schema on `data`: the errors, or an empty list. */
export type SchemaCheck = (data: unknown) => SchemaError[];

interface ModelClass {
  readonly apiVersion: string;
  readonly kind: string;
  prototype: { validate(): void };
}

function isSchemaErrorList(value: unknown): value is SchemaError[] {
  return Array.isArray(value);
}

function checkOf(model: ModelClass): SchemaCheck {
  const validate = model.prototype.validate;
  return (data: unknown): SchemaError[] => {
    try {
      validate.call(data);
      return [];
    } catch (err) {
      const errors = (err as { errors?: unknown }).errors;
      if (isSchemaErrorList(errors)) return errors;
      throw err;
    }
  };
}

const MODELS: readonly ModelClass[] = [
  Namespace, ConfigMap, Secret, Service, ServiceAccount, Pod, PersistentVolumeClaim, LimitRange, ResourceQuota,
  Deployment, StatefulSet, DaemonSet, Job, CronJob,
  HorizontalPodAutoscaler, PodDisruptionBudget,
  NetworkPolicy, Ingress, IngressClass,
  Role, RoleBinding, ClusterRole, ClusterRoleBinding,
  ServiceMonitor, PodMonitor, PrometheusRule,
  Application, AppProject,
];

const CHECKS = new Map<string, SchemaCheck>(MODELS.map((m) => [`${m.apiVersion}/${m.kind}`, checkOf(m)]));

/** The schema check of `apiVersion` + `kind`, or undefined when the pair is not known. */
export function schemaFor(apiVersion: string, kind: string): SchemaCheck | undefined {
  return CHECKS.get(`${apiVersion}/${kind}`);
}

/** Every known `apiVersion kind` pair, for messages and docs. */
export function validatableKinds(): string[] {
  return MODELS.map((m) => `${m.apiVersion} ${m.kind}`);
}

/** The apiVersions a kind is known under (to say "use apps/v1" when the kind is right but the version is not). */
export function apiVersionsOfKind(kind: string): string[] {
  return MODELS.filter((m) => m.kind === kind).map((m) => m.apiVersion);
}
