/**
 * Validating files on disk: YAML/JSON manifests in files and folders (the CLI, CI's check of
 * deploy/k8s), and a small offline kustomize build (resources, namespace, images, replicas) so an
 * overlay can be validated as kustomize would render it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import type { K8sObject, ValidationIssue, ValidationResult } from '../types.js';
import { asRecord } from './semantic.js';
import { validateManifests, validateYamlDocuments, type ValidateOptions } from './validate.js';

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const MANIFEST_EXT = /\.(ya?ml|json)$/i;

/** An issue with the file the object (or the problem) came from. */
export type FileIssue = ValidationIssue & { file?: string };

export interface FileValidationResult extends Omit<ValidationResult, 'errors'> {
  errors: FileIssue[];
  /** The manifest files read (kustomization files not included). */
  files: string[];
  /** How many Kubernetes objects they held. */
  objects: number;
}

function isKustomizationFile(path: string): boolean {
  return KUSTOMIZATION_FILES.includes(basename(path));
}

function walk(path: string, out: string[]): void {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const entry of readdirSync(path).sort()) {
      if (entry.startsWith('.') || entry === 'node_modules') continue;
      walk(join(path, entry), out);
    }
  } else if (MANIFEST_EXT.test(path) || isKustomizationFile(path)) {
    out.push(path);
  }
}

function readKustomization(file: string): { k: Record<string, unknown>; issues: FileIssue[] } {
  const issues: FileIssue[] = [];
  let k: Record<string, unknown> = {};
  try {
    k = asRecord(parse(readFileSync(file, 'utf8'))) ?? {};
  } catch (err) {
    issues.push({ kind: 'Kustomization', name: '', path: '', file, message: `cannot parse: ${(err as Error).message.split('\n')[0]}` });
  }
  const resources = k['resources'];
  if (resources !== undefined && !Array.isArray(resources)) {
    issues.push({ kind: 'Kustomization', name: '', path: '/resources', file, message: 'resources must be a list' });
  }
  (Array.isArray(resources) ? resources : []).forEach((r, i) => {
    if (typeof r !== 'string') {
      issues.push({ kind: 'Kustomization', name: '', path: `/resources/${i}`, file, message: `resources[${i}] must be a path` });
    } else if (!/^[a-z]+:\/\//i.test(r) && !existsSync(resolve(dirname(file), r))) {
      issues.push({ kind: 'Kustomization', name: '', path: `/resources/${i}`, file, message: `resource "${r}" listed in ${basename(file)} does not exist` });
    }
  });
  return { k, issues };
}

/**
 * Validates the manifests in these files and folders (recursively: *.yaml, *.yml, *.json) as one set.
 * Kustomization files are not Kubernetes objects: they are not validated as such, but every resource
 * they list must exist.
 */
export function validateManifestFiles(paths: readonly string[], options: ValidateOptions = {}): FileValidationResult {
  const all: string[] = [];
  const issues: FileIssue[] = [];
  for (const p of paths) {
    if (!existsSync(p)) {
      issues.push({ kind: '', name: '', path: '', file: p, message: `${p} does not exist` });
      continue;
    }
    walk(p, all);
  }
  const files = [...new Set(all)];
  const objects: K8sObject[] = [];
  const origin = new Map<string, string>();
  const manifestFiles: string[] = [];
  for (const file of files) {
    if (isKustomizationFile(file)) {
      issues.push(...readKustomization(file).issues);
      continue;
    }
    manifestFiles.push(file);
    const r = validateYamlDocuments(readFileSync(file, 'utf8'), { ...options, source: file });
    // Parse errors now; the objects are validated together below (cross-object checks).
    issues.push(...r.errors.filter((e) => e.kind === '' && e.name === '').map((e) => ({ ...e, file })));
    for (const o of r.objects) {
      objects.push(o);
      const name = asRecord(o.metadata)?.['name'];
      origin.set(`${String(o.kind)}/${typeof name === 'string' ? name : ''}`, file);
    }
  }
  const result = validateManifests(objects, options);
  for (const e of result.errors) {
    const file = origin.get(`${e.kind}/${e.name}`);
    issues.push(file ? { ...e, file } : e);
  }
  return { valid: issues.length === 0, kubernetesVersion: result.kubernetesVersion, errors: issues, files: manifestFiles, objects: objects.length };
}

export interface KustomizeBuild {
  objects: K8sObject[];
  /** Problems of the kustomization itself (missing resources, unsupported fields, YAML errors). */
  issues: FileIssue[];
}

const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'replicas', 'labels', 'commonAnnotations']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'IngressClass', 'PersistentVolume', 'StorageClass', 'CustomResourceDefinition']);

function imageName(image: string): string {
  const at = image.indexOf('@');
  const noDigest = at >= 0 ? image.slice(0, at) : image;
  const colon = noDigest.indexOf(':', noDigest.lastIndexOf('/') + 1);
  return colon >= 0 ? noDigest.slice(0, colon) : noDigest;
}

function podSpecs(obj: K8sObject): Record<string, unknown>[] {
  const spec = asRecord(obj['spec']);
  const out = [asRecord(asRecord(spec?.['template'])?.['spec']), asRecord(asRecord(asRecord(asRecord(spec?.['jobTemplate'])?.['spec'])?.['template'])?.['spec'])];
  if (obj.kind === 'Pod' && spec) out.push(spec);
  return out.filter((s): s is Record<string, unknown> => !!s);
}

/**
 * Renders a kustomize directory offline as `kustomize build` would for the fields supported here:
 * `resources` (files and directories), `namespace`, `images` (newName/newTag/digest), `replicas`,
 * `labels` (metadata labels only), `commonAnnotations`. Any other field is reported, not ignored.
 */
export function buildKustomization(dir: string): KustomizeBuild {
  const file = KUSTOMIZATION_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!file) return { objects: [], issues: [{ kind: 'Kustomization', name: '', path: '', file: dir, message: `${dir} has no kustomization.yaml` }] };
  const { k, issues } = readKustomization(file);
  for (const key of Object.keys(k)) {
    if (!SUPPORTED_FIELDS.has(key)) issues.push({ kind: 'Kustomization', name: '', path: `/${key}`, file, message: `field "${key}" is not supported by the offline kustomize build` });
  }
  const objects: K8sObject[] = [];
  for (const r of Array.isArray(k['resources']) ? k['resources'] : []) {
    if (typeof r !== 'string') continue;
    const target = resolve(dir, r);
    if (!existsSync(target)) continue;
    if (statSync(target).isDirectory()) {
      const sub = buildKustomization(target);
      objects.push(...sub.objects);
      issues.push(...sub.issues);
    } else {
      const parsed = validateYamlDocuments(readFileSync(target, 'utf8'), { source: relative(process.cwd(), target) });
      issues.push(...parsed.errors.filter((e) => e.kind === '' && e.name === '').map((e) => ({ ...e, file: target })));
      objects.push(...parsed.objects);
    }
  }
  const namespace = typeof k['namespace'] === 'string' ? k['namespace'] : undefined;
  const images = (Array.isArray(k['images']) ? k['images'] : []).map(asRecord).filter((i): i is Record<string, unknown> => !!i);
  const replicas = (Array.isArray(k['replicas']) ? k['replicas'] : []).map(asRecord).filter((i): i is Record<string, unknown> => !!i);
  const labels = asRecord(asRecord((Array.isArray(k['labels']) ? k['labels'] : [])[0])?.['pairs']);
  const annotations = asRecord(k['commonAnnotations']);
  const out = objects.map((o) => structuredClone(o));
  for (const o of out) {
    if (namespace && !CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = namespace;
    if (labels) o.metadata.labels = { ...o.metadata.labels, ...(labels as Record<string, string>) };
    if (annotations) o.metadata.annotations = { ...o.metadata.annotations, ...(annotations as Record<string, string>) };
    for (const r of replicas) {
      if (r['name'] === o.metadata.name && typeof r['count'] === 'number' && ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(o.kind)) {
        const spec = asRecord(o['spec']);
        if (spec) spec['replicas'] = r['count'];
      }
    }
    for (const ps of podSpecs(o)) {
      for (const field of ['initContainers', 'containers']) {
        for (const c of Array.isArray(ps[field]) ? (ps[field] as unknown[]) : []) {
          const container = asRecord(c);
          const image = container?.['image'];
          if (!container || typeof image !== 'string') continue;
          const rule = images.find((i) => i['name'] === imageName(image));
          if (!rule) continue;
          const name = typeof rule['newName'] === 'string' ? rule['newName'] : imageName(image);
          if (typeof rule['digest'] === 'string') container['image'] = `${name}@${rule['digest']}`;
          else if (typeof rule['newTag'] === 'string') container['image'] = `${name}:${rule['newTag']}`;
          else container['image'] = image.replace(imageName(image), name);
        }
      }
    }
  }
  return { objects: out, issues };
}
