import { AppError } from '@autoweave/contracts';
import type { DeployConfig } from '../types.js';
import { RESERVED_LABEL_KEYS } from './labels.js';
import { isDns1123Label, isDns1123Subdomain, isLabelKey, isLabelValue } from '../rules/names.js';
import { parseResourceQuantity } from './quantity.js';

/** Defaults for everything but the image and the port (which comes from the spec, else 8080). */
export const defaultDeployConfig = Object.freeze({
  namespace: 'autoweave',
  replicas: 2,
  resources: Object.freeze({
    requests: Object.freeze({ cpu: '100m', memory: '128Mi' }),
    limits: Object.freeze({ cpu: '500m', memory: '256Mi' }),
  }),
  /** Used when deploy.autoscaling is absent and deploy.replicas is absent too. */
  autoscaling: Object.freeze({ min: 2, max: 5, cpu: 70 }),
  /** Port when neither deploy.port nor an absolute server URL of the spec gives one. */
  port: 8080,
  ingressControllerNamespace: 'ingress-nginx',
  monitoringNamespace: 'monitoring',
});

export interface ResolvedResources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

/** A validated DeployConfig with every default applied (except the port, resolved against the spec). */
export interface ResolvedDeployConfig {
  image?: string;
  namespace: string;
  /** deploy.replicas, else the default; the HPA's minReplicas when deploy.autoscaling is absent. */
  replicas: number;
  resources: ResolvedResources;
  port?: number;
  metricsPort?: number;
  ingress?: { host: string; tls: boolean | { secretName: string }; className?: string; controllerNamespace: string };
  /** Always present: the HPA is always generated (see generateManifests). */
  autoscaling: { min: number; max: number; cpu: number };
  /** Sorted by name. */
  env: Array<{ name: string; value: string }>;
  /** Sorted by key. */
  labels: Record<string, string>;
  networkPolicy: { platformNamespace?: string; monitoringNamespace: string };
  argocd?: { repoURL: string; path: string; targetRevision: string; project: string; destinationServer: string };
}

const DEPLOY_KEYS = new Set([
  'image',
  'namespace',
  'replicas',
  'resources',
  'port',
  'metricsPort',
  'ingress',
  'autoscaling',
  'env',
  'labels',
  'networkPolicy',
  'argocd',
]);

const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Reserved for what the generator sets itself (integration id/name, spec path, credentials). */
const RESERVED_ENV_PREFIX = 'AUTOWEAVE_';

function fail(field: string, message: string): never {
  throw new AppError('VALIDATION', `${field}: ${message}`, { field });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(value: Record<string, unknown>, allowed: readonly string[], field: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(`${field}.${key}`, `unknown setting (allowed: ${allowed.join(', ')})`);
  }
}

function intIn(value: unknown, min: number, max: number, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(field, `must be an integer within ${min}..${max}, not ${JSON.stringify(value)}`);
  }
  return value;
}

function str(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) fail(field, `must be a non-empty string, not ${JSON.stringify(value)}`);
  return value;
}

/** A host name for an Ingress rule: a DNS subdomain with at least one dot, optionally `*.` first. */
export function isIngressHost(value: string): boolean {
  const host = value.startsWith('*.') ? value.slice(2) : value;
  return host.includes('.') && isDns1123Subdomain(host) && !/^[0-9.]+$/.test(host);
}

/**
 * An image reference that pins a version: it has a tag other than `latest`, or a digest
 * (`@sha256:...`). `repo`, `repo:latest` and references with whitespace are refused.
 */
export function checkImage(image: unknown, field: string): string {
  const ref = str(image, field);
  if (/\s/.test(ref) || ref.length > 512) fail(field, `is not an image reference: ${JSON.stringify(ref)}`);
  const at = ref.indexOf('@');
  if (at >= 0) {
    if (!/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[A-Fa-f0-9]{32,}$/.test(ref.slice(at + 1))) fail(field, `has an invalid digest: ${ref}`);
    return ref;
  }
  const lastSegment = ref.slice(ref.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  if (colon < 0) fail(field, `needs a tag or a digest (an untagged image means :latest): ${ref}`);
  const tag = lastSegment.slice(colon + 1);
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) fail(field, `has an invalid tag: ${ref}`);
  if (tag === 'latest') fail(field, `must not use the :latest tag (pin a version or digest): ${ref}`);
  return ref;
}

function resolveResources(value: unknown): ResolvedResources {
  const d = defaultDeployConfig.resources;
  const out: ResolvedResources = { requests: { ...d.requests }, limits: { ...d.limits } };
  if (value === undefined) return out;
  if (!isRecord(value)) fail('deploy.resources', 'must be an object {requests, limits}');
  checkKeys(value, ['requests', 'limits'], 'deploy.resources');
  for (const part of ['requests', 'limits'] as const) {
    const amounts = value[part];
    if (amounts === undefined) continue;
    const field = `deploy.resources.${part}`;
    if (!isRecord(amounts)) fail(field, 'must be an object {cpu, memory}');
    checkKeys(amounts, ['cpu', 'memory'], field);
    for (const res of ['cpu', 'memory'] as const) {
      const q = amounts[res];
      if (q === undefined) continue;
      const text = typeof q === 'number' ? String(q) : q;
      if (typeof text !== 'string' || parseResourceQuantity(text) === undefined || parseResourceQuantity(text)! <= 0) {
        fail(`${field}.${res}`, `must be a positive Kubernetes quantity (e.g. ${d[part][res]}), not ${JSON.stringify(q)}`);
      }
      out[part][res] = text;
    }
  }
  for (const res of ['cpu', 'memory'] as const) {
    if (parseResourceQuantity(out.requests[res])! > parseResourceQuantity(out.limits[res])!) {
      fail(`deploy.resources.requests.${res}`, `request ${out.requests[res]} exceeds the limit ${out.limits[res]}`);
    }
  }
  return out;
}

function resolveIngress(value: unknown): ResolvedDeployConfig['ingress'] {
  if (value === undefined) return undefined;
  if (!isRecord(value)) fail('deploy.ingress', 'must be an object {host, tls, className}');
  checkKeys(value, ['host', 'tls', 'className', 'controllerNamespace'], 'deploy.ingress');
  const host = str(value['host'], 'deploy.ingress.host');
  if (!isIngressHost(host)) fail('deploy.ingress.host', `must be a valid DNS name (lowercase, e.g. api.example.com), not ${JSON.stringify(host)}`);
  let tls: boolean | { secretName: string } = false;
  const t = value['tls'];
  if (typeof t === 'boolean') tls = t;
  else if (isRecord(t)) {
    checkKeys(t, ['secretName'], 'deploy.ingress.tls');
    const secretName = str(t['secretName'], 'deploy.ingress.tls.secretName');
    if (!isDns1123Subdomain(secretName)) fail('deploy.ingress.tls.secretName', `must be a DNS-1123 subdomain, not ${JSON.stringify(secretName)}`);
    tls = { secretName };
  } else if (t !== undefined) fail('deploy.ingress.tls', 'must be a boolean or {secretName}');
  const out: NonNullable<ResolvedDeployConfig['ingress']> = {
    host,
    tls,
    controllerNamespace: defaultDeployConfig.ingressControllerNamespace,
  };
  if (value['className'] !== undefined) {
    const className = str(value['className'], 'deploy.ingress.className');
    if (!isDns1123Subdomain(className)) fail('deploy.ingress.className', `must be a DNS-1123 subdomain, not ${JSON.stringify(className)}`);
    out.className = className;
  }
  if (value['controllerNamespace'] !== undefined) {
    out.controllerNamespace = namespace(value['controllerNamespace'], 'deploy.ingress.controllerNamespace');
  }
  return out;
}

function namespace(value: unknown, field: string): string {
  const ns = str(value, field);
  if (!isDns1123Label(ns)) fail(field, `must be a DNS-1123 label (lowercase alphanumerics and '-', <= 63), not ${JSON.stringify(ns)}`);
  return ns;
}

function resolveAutoscaling(value: unknown, replicas: number, replicasGiven: boolean): ResolvedDeployConfig['autoscaling'] {
  if (value === undefined) {
    const d = defaultDeployConfig.autoscaling;
    return replicasGiven ? { min: replicas, max: Math.max(d.max, replicas), cpu: d.cpu } : { ...d };
  }
  if (!isRecord(value)) fail('deploy.autoscaling', 'must be an object {min, max, cpu}');
  checkKeys(value, ['min', 'max', 'cpu'], 'deploy.autoscaling');
  const d = defaultDeployConfig.autoscaling;
  const min = value['min'] === undefined ? d.min : intIn(value['min'], 1, 100, 'deploy.autoscaling.min');
  const max = value['max'] === undefined ? Math.max(d.max, min) : intIn(value['max'], 1, 100, 'deploy.autoscaling.max');
  const cpu = value['cpu'] === undefined ? d.cpu : intIn(value['cpu'], 1, 100, 'deploy.autoscaling.cpu');
  if (min > max) fail('deploy.autoscaling.min', `min (${min}) must not exceed max (${max})`);
  if (replicasGiven && (replicas < min || replicas > max)) {
    fail('deploy.replicas', `${replicas} is outside deploy.autoscaling ${min}..${max} (with autoscaling the HPA owns the replica count)`);
  }
  return { min, max, cpu };
}

function resolveEnv(value: unknown): ResolvedDeployConfig['env'] {
  if (value === undefined) return [];
  if (!isRecord(value)) fail('deploy.env', 'must be an object of NAME: value');
  return Object.keys(value)
    .sort()
    .map((name) => {
      const field = `deploy.env.${name}`;
      if (!C_IDENTIFIER.test(name)) fail(field, `environment variable names must be C identifiers ([A-Za-z_][A-Za-z0-9_]*)`);
      if (name.startsWith(RESERVED_ENV_PREFIX)) fail(field, `names starting with ${RESERVED_ENV_PREFIX} are set by AutoWeave`);
      const v = value[name];
      if (typeof v !== 'string') fail(field, `must be a string, not ${JSON.stringify(v)}`);
      return { name, value: v };
    });
}

function resolveLabels(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) fail('deploy.labels', 'must be an object of key: value');
  const out: Record<string, string> = {};
  for (const key of Object.keys(value).sort()) {
    const field = `deploy.labels.${key}`;
    if (!isLabelKey(key)) fail(field, 'is not a valid label key ([prefix/]name, name <= 63 alphanumerics, -, _, .)');
    if (RESERVED_LABEL_KEYS.includes(key)) fail(field, 'is set by AutoWeave');
    const v = value[key];
    if (typeof v !== 'string' || !isLabelValue(v)) fail(field, `is not a valid label value (<= 63 alphanumerics, -, _, .): ${JSON.stringify(v)}`);
    out[key] = v;
  }
  return out;
}

function resolveArgo(value: unknown): ResolvedDeployConfig['argocd'] {
  if (value === undefined) return undefined;
  if (!isRecord(value)) fail('deploy.argocd', 'must be an object {repoURL, path, targetRevision, project, destinationServer}');
  checkKeys(value, ['repoURL', 'path', 'targetRevision', 'project', 'destinationServer'], 'deploy.argocd');
  const repoURL = str(value['repoURL'], 'deploy.argocd.repoURL');
  if (/\s/.test(repoURL)) fail('deploy.argocd.repoURL', 'must be a repository URL');
  const path = str(value['path'], 'deploy.argocd.path');
  if (path.startsWith('/') || path.split('/').includes('..')) fail('deploy.argocd.path', 'must be a relative path inside the repository');
  return {
    repoURL,
    path,
    targetRevision: value['targetRevision'] === undefined ? 'HEAD' : str(value['targetRevision'], 'deploy.argocd.targetRevision'),
    project: value['project'] === undefined ? 'default' : str(value['project'], 'deploy.argocd.project'),
    destinationServer:
      value['destinationServer'] === undefined ? 'https://kubernetes.default.svc' : str(value['destinationServer'], 'deploy.argocd.destinationServer'),
  };
}

/**
 * Validates a deploy config and applies the defaults. Every problem is an
 * `AppError('VALIDATION', 'deploy.<field>: ...', {field: 'deploy.<field>'})`; unknown settings are refused.
 */
export function resolveDeployConfig(deploy: DeployConfig | undefined): ResolvedDeployConfig {
  const d: unknown = deploy ?? {};
  if (!isRecord(d)) fail('deploy', 'must be an object');
  for (const key of Object.keys(d)) {
    if (!DEPLOY_KEYS.has(key)) fail(`deploy.${key}`, `unknown setting (allowed: ${[...DEPLOY_KEYS].join(', ')})`);
  }
  const replicasGiven = d['replicas'] !== undefined;
  const replicas = replicasGiven ? intIn(d['replicas'], 1, 100, 'deploy.replicas') : defaultDeployConfig.replicas;
  const out: ResolvedDeployConfig = {
    namespace: d['namespace'] === undefined ? defaultDeployConfig.namespace : namespace(d['namespace'], 'deploy.namespace'),
    replicas,
    resources: resolveResources(d['resources']),
    autoscaling: resolveAutoscaling(d['autoscaling'], replicas, replicasGiven),
    env: resolveEnv(d['env']),
    labels: resolveLabels(d['labels']),
    networkPolicy: { monitoringNamespace: defaultDeployConfig.monitoringNamespace },
  };
  if (d['image'] !== undefined) out.image = checkImage(d['image'], 'deploy.image');
  if (d['port'] !== undefined) out.port = intIn(d['port'], 1, 65535, 'deploy.port');
  if (d['metricsPort'] !== undefined) out.metricsPort = intIn(d['metricsPort'], 1, 65535, 'deploy.metricsPort');
  const ingress = resolveIngress(d['ingress']);
  if (ingress) out.ingress = ingress;
  const np = d['networkPolicy'];
  if (np !== undefined) {
    if (!isRecord(np)) fail('deploy.networkPolicy', 'must be an object {platformNamespace, monitoringNamespace}');
    checkKeys(np, ['platformNamespace', 'monitoringNamespace'], 'deploy.networkPolicy');
    if (np['platformNamespace'] !== undefined) out.networkPolicy.platformNamespace = namespace(np['platformNamespace'], 'deploy.networkPolicy.platformNamespace');
    if (np['monitoringNamespace'] !== undefined) out.networkPolicy.monitoringNamespace = namespace(np['monitoringNamespace'], 'deploy.networkPolicy.monitoringNamespace');
  }
  const argocd = resolveArgo(d['argocd']);
  if (argocd) out.argocd = argocd;
  return out;
}
