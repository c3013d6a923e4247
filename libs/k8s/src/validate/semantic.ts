/**
 * Checks the schemas cannot express: references between fields and between objects of one set.
 */
import type { K8sObject, ValidationIssue } from '../types.js';
import { isDns1123Label, isDns1123Subdomain, isLabelValue, labelKeyProblem } from '../rules/names.js';
import { parseQuantity } from '../rules/quantity.js';
import { escapePointer } from './strict.js';

type Json = Record<string, unknown>;

export function asRecord(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}
function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
function asStringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asRecord(value) ?? {})) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Kinds whose names must be DNS-1123 labels (they become host names); the rest: DNS-1123 subdomains. */
const LABEL_NAMED_KINDS = new Set(['Namespace', 'Service']);

/** Where the pod template of a workload kind is. */
const TEMPLATE_POINTER: Record<string, string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};
/** Kinds whose pods a Service can select and an HPA can scale. */
const SELECTABLE = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod']);
const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

interface PodTemplate {
  /** JSON pointer of the template (the Pod itself: ''). */
  pointer: string;
  labels: Record<string, string>;
  spec: Json;
}

interface ContainerPort {
  containerPort?: number;
  name?: string;
  protocol: string;
}

function podTemplateOf(obj: K8sObject): PodTemplate | undefined {
  if (obj.kind === 'Pod') {
    const spec = asRecord(obj['spec']);
    return spec ? { pointer: '', labels: asStringMap(obj.metadata?.labels), spec } : undefined;
  }
  const path = TEMPLATE_POINTER[obj.kind];
  if (!path) return undefined;
  let cur: unknown = obj;
  for (const seg of path) cur = asRecord(cur)?.[seg];
  const template = asRecord(cur);
  const spec = asRecord(template?.['spec']);
  if (!template || !spec) return undefined;
  return { pointer: '/' + path.join('/'), labels: asStringMap(asRecord(template['metadata'])?.['labels']), spec };
}

function containersOf(spec: Json): Array<{ pointer: string; container: Json }> {
  const out: Array<{ pointer: string; container: Json }> = [];
  for (const field of ['initContainers', 'containers']) {
    asArray(spec[field]).forEach((c, i) => {
      const container = asRecord(c);
      if (container) out.push({ pointer: `/spec/${field}/${i}`, container });
    });
  }
  return out;
}

function portsOf(container: Json): ContainerPort[] {
  return asArray(container['ports']).flatMap((p) => {
    const port = asRecord(p);
    if (!port) return [];
    return [{
      ...(typeof port['containerPort'] === 'number' ? { containerPort: port['containerPort'] } : {}),
      ...(typeof port['name'] === 'string' ? { name: port['name'] } : {}),
      protocol: typeof port['protocol'] === 'string' ? port['protocol'] : 'TCP',
    }];
  });
}

function describePorts(ports: ContainerPort[]): string {
  if (ports.length === 0) return 'it declares no ports';
  return 'its ports: ' + ports.map((p) => (p.name ? `${p.containerPort ?? '?'} (${p.name})` : `${p.containerPort ?? '?'}`)).join(', ');
}

function portMatches(ports: ContainerPort[], ref: unknown): boolean {
  if (typeof ref === 'number') return ports.some((p) => p.containerPort === ref);
  if (typeof ref === 'string') {
    if (/^\d+$/.test(ref)) return ports.some((p) => p.containerPort === Number(ref));
    return ports.some((p) => p.name === ref);
  }
  return true;
}

function fmtLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(', ') : '(none)';
}

/** Does a LabelSelector (matchLabels + matchExpressions) select these labels? Undefined selector: no. */
export function selectorMatches(selector: Json | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const matchLabels = asStringMap(selector['matchLabels']);
  const expressions = asArray(selector['matchExpressions']).map(asRecord).filter((e): e is Json => !!e);
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) return true;
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== v) return false;
  for (const e of expressions) {
    const key = typeof e['key'] === 'string' ? e['key'] : '';
    const values = asArray(e['values']).filter((v): v is string => typeof v === 'string');
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (e['operator']) {
      case 'In': if (!has || !values.includes(labels[key]!)) return false; break;
      case 'NotIn': if (has && values.includes(labels[key]!)) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

function nameOf(obj: K8sObject): string {
  const name = asRecord(obj.metadata)?.['name'];
  return typeof name === 'string' ? name : '';
}
function namespaceOf(obj: K8sObject): string {
  const ns = asRecord(obj.metadata)?.['namespace'];
  return typeof ns === 'string' ? ns : '';
}

/** Checks of one object on its own. */
export function checkObject(obj: K8sObject): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const kind = obj.kind;
  const name = nameOf(obj);
  const add = (path: string, message: string): void => {
    issues.push({ kind, name, path, message });
  };
  const metadata = asRecord(obj.metadata);

  // metadata.name / namespace / labels
  if (!name) {
    add('/metadata/name', 'metadata.name is required');
  } else if (LABEL_NAMED_KINDS.has(kind) ? !isDns1123Label(name) : !isDns1123Subdomain(name)) {
    add('/metadata/name', LABEL_NAMED_KINDS.has(kind)
      ? `metadata.name "${name}" is not a valid DNS-1123 label: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit`
      : `metadata.name "${name}" is not a valid DNS-1123 subdomain: at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit`);
  }
  const ns = metadata?.['namespace'];
  if (typeof ns === 'string' && !isDns1123Label(ns)) {
    add('/metadata/namespace', `metadata.namespace "${ns}" is not a valid DNS-1123 label`);
  }
  const checkLabels = (labels: unknown, pointer: string, what: string): void => {
    for (const [k, v] of Object.entries(asRecord(labels) ?? {})) {
      const p = `${pointer}/${escapePointer(k)}`;
      const keyProblem = labelKeyProblem(k);
      if (keyProblem) add(p, `${what} key "${k}" is not a valid label key: ${keyProblem}`);
      if (typeof v === 'string' && !isLabelValue(v)) {
        add(p, `${what} "${k}" has an invalid value "${v}": at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (or empty)`);
      }
    }
  };
  checkLabels(metadata?.['labels'], '/metadata/labels', 'label');

  const template = podTemplateOf(obj);
  if (template) {
    if (template.pointer) checkLabels(asRecord(asRecord(getAt(obj, template.pointer))?.['metadata'])?.['labels'], `${template.pointer}/metadata/labels`, 'pod template label');

    // selector must select the template's labels
    if (kind !== 'Pod' && kind !== 'CronJob' && kind !== 'Job') {
      const selector = asRecord(asRecord(obj['spec'])?.['selector']);
      if (selector && !selectorMatches(selector, template.labels)) {
        const wanted = asStringMap(selector['matchLabels']);
        const diff = Object.entries(wanted)
          .filter(([k, v]) => template.labels[k] !== v)
          .map(([k, v]) => (k in template.labels ? `${k}=${v} (template has ${k}=${template.labels[k]})` : `${k}=${v} (template lacks ${k})`));
        add('/spec/selector', `spec.selector does not match the pod template labels: ${diff.length ? diff.join(', ') : 'its matchExpressions reject them'}; template labels: ${fmtLabels(template.labels)}`);
      }
    }

    for (const { pointer, container } of containersOf(template.spec)) {
      const base = `${template.pointer}${pointer}`;
      const cname = typeof container['name'] === 'string' ? container['name'] : pointer;
      const ports = portsOf(container);

      // image: a tag or digest, and not :latest
      const image = container['image'];
      if (typeof image === 'string') {
        const problem = imageProblem(image);
        if (problem) add(`${base}/image`, `container "${cname}": image "${image}" ${problem}`);
      }

      // probes on declared ports
      for (const probeName of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        const probe = asRecord(container[probeName]);
        if (!probe) continue;
        for (const handler of ['httpGet', 'tcpSocket', 'grpc']) {
          const h = asRecord(probe[handler]);
          if (!h || !('port' in h)) continue;
          if (!portMatches(ports, h['port'])) {
            const ref = typeof h['port'] === 'string' ? `"${h['port']}"` : String(h['port']);
            add(`${base}/${probeName}/${handler}/port`,
              `container "${cname}": ${probeName}.${handler}.port ${ref} is not a port of the container (${describePorts(ports)})`);
          }
        }
      }

      // requests <= limits
      const resources = asRecord(container['resources']);
      const requests = asRecord(resources?.['requests']) ?? {};
      const limits = asRecord(resources?.['limits']) ?? {};
      for (const [res, req] of Object.entries(requests)) {
        if (!(res in limits)) continue;
        const r = parseQuantity(req);
        const l = parseQuantity(limits[res]);
        if (r !== undefined && l !== undefined && r > l) {
          add(`${base}/resources/requests/${escapePointer(res)}`,
            `container "${cname}": requests.${res} (${String(req)}) is greater than limits.${res} (${String(limits[res])})`);
        }
      }
    }
  }

  if (kind === 'HorizontalPodAutoscaler') {
    const spec = asRecord(obj['spec']);
    const min = spec?.['minReplicas'];
    const max = spec?.['maxReplicas'];
    if (typeof min === 'number' && typeof max === 'number' && min > max) {
      add('/spec/minReplicas', `spec.minReplicas (${min}) is greater than spec.maxReplicas (${max})`);
    }
  }
  return issues;
}

/** Why an image reference is not pinned, or undefined when it has a tag (not latest) or a digest. */
export function imageProblem(image: string): string | undefined {
  if (image.trim() === '') return 'is empty';
  if (image.includes('@')) return undefined;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) return 'has no tag (it means :latest); pin a version tag or a digest';
  if (image.slice(colon + 1) === 'latest') return 'uses the :latest tag; pin a version tag or a digest';
  return undefined;
}

function getAt(obj: unknown, pointer: string): unknown {
  let cur: unknown = obj;
  for (const seg of pointer.split('/').slice(1)) {
    const key = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = Array.isArray(cur) ? cur[Number(key)] : asRecord(cur)?.[key];
  }
  return cur;
}
export { getAt };

/** Checks across the objects of one set: duplicates, Service -> pods, HPA -> workload. */
export function checkSet(objects: K8sObject[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Map<string, number>();
  objects.forEach((obj, index) => {
    const name = nameOf(obj);
    if (!name) return;
    const group = typeof obj.apiVersion === 'string' && obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
    const key = `${group}|${obj.kind}|${namespaceOf(obj)}|${name}`;
    const first = seen.get(key);
    if (first !== undefined) {
      issues.push({ kind: obj.kind, name, path: '/metadata/name',
        message: `duplicate ${obj.kind} "${name}"${namespaceOf(obj) ? ` in namespace "${namespaceOf(obj)}"` : ''}: objects #${first} and #${index} have the same kind and name` });
    } else {
      seen.set(key, index);
    }
  });

  const workloads = objects
    .filter((o) => SELECTABLE.has(o.kind))
    .map((o) => ({ obj: o, template: podTemplateOf(o) }))
    .filter((w): w is { obj: K8sObject; template: PodTemplate } => !!w.template);

  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const spec = asRecord(svc['spec']);
    const selector = asStringMap(spec?.['selector']);
    if (!spec || Object.keys(selector).length === 0 || spec['type'] === 'ExternalName') continue;
    const candidates = workloads.filter((w) => namespaceOf(w.obj) === namespaceOf(svc));
    if (candidates.length === 0) continue; // the pods are made elsewhere: nothing to compare with
    const selected = candidates.filter((w) => selectorMatches({ matchLabels: selector }, w.template.labels));
    const name = nameOf(svc);
    if (selected.length === 0) {
      issues.push({ kind: 'Service', name, path: '/spec/selector',
        message: `spec.selector ${fmtLabels(selector)} selects no workload in the set (candidates: ${candidates.map((w) => `${w.obj.kind} "${nameOf(w.obj)}" with pod labels ${fmtLabels(w.template.labels)}`).join('; ')})` });
      continue;
    }
    asArray(spec['ports']).forEach((p, i) => {
      const port = asRecord(p);
      if (!port) return;
      const target = port['targetPort'] ?? port['port'];
      const pointer = port['targetPort'] !== undefined ? `/spec/ports/${i}/targetPort` : `/spec/ports/${i}/port`;
      for (const w of selected) {
        const ports = containersOf(w.template.spec).filter((c) => c.pointer.startsWith('/spec/containers/')).flatMap((c) => portsOf(c.container));
        if (!portMatches(ports, target)) {
          const ref = typeof target === 'string' ? `"${target}"` : String(target);
          issues.push({ kind: 'Service', name, path: pointer,
            message: `spec.ports[${i}]: targetPort ${ref} is not a container port of ${w.obj.kind} "${nameOf(w.obj)}" (${describePorts(ports)})` });
        }
      }
    });
  }

  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const ref = asRecord(asRecord(hpa['spec'])?.['scaleTargetRef']);
    if (!ref) continue;
    const kind = ref['kind'];
    const name = ref['name'];
    if (typeof kind !== 'string' || typeof name !== 'string') continue;
    if (!SCALABLE.has(kind)) {
      issues.push({ kind: hpa.kind, name: nameOf(hpa), path: '/spec/scaleTargetRef/kind',
        message: `spec.scaleTargetRef.kind "${kind}" cannot be scaled; use Deployment, StatefulSet or ReplicaSet` });
      continue;
    }
    const found = objects.some((o) => o.kind === kind && nameOf(o) === name && namespaceOf(o) === namespaceOf(hpa));
    if (!found) {
      issues.push({ kind: hpa.kind, name: nameOf(hpa), path: '/spec/scaleTargetRef/name',
        message: `spec.scaleTargetRef names ${kind} "${name}", which is not in the set` });
    }
  }
  return issues;
}
