import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { AppError } from '@autoweave/contracts';
import type { GenerateInput } from '../types.js';
import { apiFacts, type ApiFacts } from './api-facts.js';
import { credentialEnv, type CredentialEnv } from './credentials.js';
import { checkImage, resolveDeployConfig, type ResolvedDeployConfig } from './defaults.js';
import { selectorLabels, standardLabels } from './labels.js';
import { k8sName, NAME_SUFFIXES } from './names.js';
import { stableJson } from './yaml.js';

/** Where the runtime image finds the spec. */
export const SPEC_MOUNT_DIR = '/etc/autoweave';
export const SPEC_KEY = 'openapi.json';
export const SPEC_KEY_GZIP = 'openapi.json.gz';
/** ConfigMaps hold at most 1 MiB; keep room for the object around the data. */
export const CONFIGMAP_MAX_DATA_BYTES = 1000 * 1024;

export interface SpecData {
  /** Key in the ConfigMap (and file name under SPEC_MOUNT_DIR). */
  key: string;
  /** Plain JSON (data) or base64 gzip of it (binaryData), for specs too large for a ConfigMap as text. */
  data?: string;
  binaryData?: string;
  /** sha256 of the JSON text, as a pod-template annotation so that a new spec rolls the pods. */
  sha256: string;
}

export interface MetricsEndpoint {
  /** Container/Service port name scraped: "metrics" for a separate port, else "http". */
  portName: 'metrics' | 'http';
  /** The separate metrics port, when deploy.metricsPort differs from the http port. */
  port?: number;
  path: string;
}

/** Everything the object builders share, computed once per generateManifests call. */
export interface GenContext {
  integrationName: string;
  integrationId?: string;
  name: string;
  instance: string;
  namespace: string;
  configMapName: string;
  credentialsSecretName: string;
  labels: Record<string, string>;
  selector: Record<string, string>;
  deploy: ResolvedDeployConfig;
  facts: ApiFacts;
  image: string;
  usesRuntimeImage: boolean;
  credentials: CredentialEnv[];
  metrics?: MetricsEndpoint;
  spec: SpecData;
}

function specData(input: GenerateInput): SpecData {
  const source = input.spec ?? input.api;
  // Indented JSON when it fits (readable in kubectl and diffs), else compact, else gzip of compact.
  let json = stableJson(source);
  if (Buffer.byteLength(json, 'utf8') * 2 <= CONFIGMAP_MAX_DATA_BYTES) {
    const indented = stableJson(source, 2);
    if (Buffer.byteLength(indented, 'utf8') <= CONFIGMAP_MAX_DATA_BYTES) json = indented;
  }
  const sha256 = createHash('sha256').update(json, 'utf8').digest('hex');
  if (Buffer.byteLength(json, 'utf8') <= CONFIGMAP_MAX_DATA_BYTES) return { key: SPEC_KEY, data: json, sha256 };
  const gz = gzipSync(Buffer.from(json, 'utf8'), { level: 6 }).toString('base64');
  if (gz.length > CONFIGMAP_MAX_DATA_BYTES) {
    throw new AppError('VALIDATION', `spec: the OpenAPI document is too large for a ConfigMap even compressed (${gz.length} bytes base64)`, {
      field: 'spec',
    });
  }
  return { key: SPEC_KEY_GZIP, binaryData: gz, sha256 };
}

export function buildContext(input: GenerateInput): GenContext {
  if (typeof input.name !== 'string' || input.name.trim() === '') {
    throw new AppError('VALIDATION', 'name: the integration name must be a non-empty string', { field: 'name' });
  }
  const deploy = resolveDeployConfig(input.deploy);
  const usesRuntimeImage = deploy.image === undefined;
  const image = deploy.image ?? checkImage(input.runtimeImage, 'runtimeImage');
  const name = k8sName(input.name);
  const instance = input.integrationId !== undefined && input.integrationId !== '' ? k8sName(input.integrationId) : name;
  const names = { name, instance };
  const facts = apiFacts(input.api, deploy.port);
  const ctx: GenContext = {
    integrationName: input.name,
    name,
    instance,
    namespace: deploy.namespace,
    configMapName: `${name}${NAME_SUFFIXES.openapi}`,
    credentialsSecretName: `${name}${NAME_SUFFIXES.credentials}`,
    labels: standardLabels(names, deploy.labels),
    selector: selectorLabels(names),
    deploy,
    facts,
    image,
    usesRuntimeImage,
    credentials: credentialEnv(input.api),
    spec: specData(input),
  };
  if (input.integrationId !== undefined && input.integrationId !== '') ctx.integrationId = input.integrationId;
  if (deploy.metricsPort !== undefined && deploy.metricsPort !== facts.port) {
    ctx.metrics = { portName: 'metrics', port: deploy.metricsPort, path: facts.metricsPath ?? '/metrics' };
  } else if (deploy.metricsPort !== undefined || facts.metricsPath !== undefined) {
    ctx.metrics = { portName: 'http', path: facts.metricsPath ?? '/metrics' };
  }
  return ctx;
}

/** metadata in the conventional order: name, namespace, labels (, annotations). */
export function metadata(ctx: GenContext, name: string, annotations?: Record<string, string>): {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
} {
  const m: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> } = {
    name,
    namespace: ctx.namespace,
    labels: { ...ctx.labels },
  };
  if (annotations && Object.keys(annotations).length > 0) m.annotations = annotations;
  return m;
}
