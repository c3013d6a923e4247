import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { K8sObject, ValidationIssue, ValidationResult } from '../types.js';
import { apiVersionsOfKind, DEFAULT_KUBERNETES_VERSION, schemaFor, SUPPORTED_KUBERNETES_VERSIONS, type SchemaError } from './schemas.js';
import { asRecord, checkObject, checkSet, getAt } from './semantic.js';
import { escapePointer, trackReads } from './strict.js';

export interface ValidateOptions {
  /**
   * The Kubernetes version to validate against ("1.36", "v1.36", "1.36.2"). Default and only
   * supported value: the version of the bundled schemas (DEFAULT_KUBERNETES_VERSION).
   */
  kubernetesVersion?: string;
}

function resolveVersion(requested: string | undefined): string {
  if (requested === undefined) return DEFAULT_KUBERNETES_VERSION;
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(requested.trim());
  const minor = m ? `${m[1]}.${m[2]}` : undefined;
  if (!minor || !SUPPORTED_KUBERNETES_VERSIONS.includes(minor)) {
    throw new RangeError(`kubernetesVersion "${requested}" is not available offline; supported: ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')}`);
  }
  return minor;
}

/** `/spec/template/spec/containers/0/image` -> `spec.template.spec.containers[0].image`. */
export function pointerToField(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out || '(the object)';
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value)}`;
  return `${typeof value} ${String(value)}`;
}

/** Turns one object's compiled-validator errors into issues: one per field, in words. */
function schemaIssues(obj: K8sObject, kind: string, name: string, errors: SchemaError[]): ValidationIssue[] {
  const byPath = new Map<string, SchemaError[]>();
  const issues: ValidationIssue[] = [];
  for (const e of errors) {
    if (e.keyword === 'required') {
      const missing = String(e.params['missingProperty'] ?? '');
      const path = `${e.instancePath}/${escapePointer(missing)}`;
      issues.push({ kind, name, path, message: `${pointerToField(path)} is required but missing` });
      continue;
    }
    const list = byPath.get(e.instancePath) ?? [];
    list.push(e);
    byPath.set(e.instancePath, list);
  }
  for (const [path, list] of byPath) {
    const field = pointerToField(path);
    const value = getAt(obj, path);
    const keywords = new Set(list.map((e) => e.keyword));
    const formats = list.filter((e) => e.keyword === 'format').map((e) => String(e.params['format']));
    if (formats.includes('quantity')) {
      issues.push({ kind, name, path, message: `${field}: ${describeValue(value)} is not a valid quantity (a number with an optional suffix such as 100m, 0.5, 128Mi, 1Gi)` });
      continue;
    }
    if (keywords.has('enum')) {
      const allowed = list.find((e) => e.keyword === 'enum')?.params['allowedValues'];
      const options = Array.isArray(allowed) ? allowed.map((a) => JSON.stringify(a)).join(', ') : '';
      issues.push({ kind, name, path, message: `${field} must be one of ${options} (got ${describeValue(value)})` });
      continue;
    }
    const types = [...new Set(list.filter((e) => e.keyword === 'type').flatMap((e) => String(e.params['type']).split(',')))];
    if (types.length > 0) {
      const wanted = types.map((t) => (t === 'integer' ? 'an integer' : t === 'object' ? 'an object' : t === 'array' ? 'an array' : `a ${t}`));
      const intOrString = types.includes('integer') && types.includes('string');
      issues.push({ kind, name, path, message: `${field} must be ${wanted.join(' or ')}${intOrString ? ' (int-or-string)' : ''} (got ${describeValue(value)})` });
      continue;
    }
    for (const e of list) {
      if ((e.keyword === 'oneOf' || e.keyword === 'anyOf') && list.length > 1) continue;
      if (e.keyword === 'format') {
        issues.push({ kind, name, path, message: `${field}: ${describeValue(value)} is not a valid ${String(e.params['format'])}` });
      } else {
        issues.push({ kind, name, path, message: `${field} ${e.message ?? `fails the schema's "${e.keyword}" rule`} (got ${describeValue(value)})` });
      }
    }
  }
  return issues;
}

function checkOne(input: unknown, index: number): { issues: ValidationIssue[]; object?: K8sObject } {
  const record = asRecord(input);
  if (!record) {
    return { issues: [{ kind: '', name: '', path: '', message: `object #${index} is ${describeValue(input)}, not a Kubernetes object` }] };
  }
  const obj = record as K8sObject;
  const kind = typeof record['kind'] === 'string' ? record['kind'] : '';
  const metadataName = asRecord(record['metadata'])?.['name'];
  const name = typeof metadataName === 'string' ? metadataName : '';
  const apiVersion = typeof record['apiVersion'] === 'string' ? record['apiVersion'] : '';
  if (!apiVersion || !kind) {
    const path = !apiVersion ? '/apiVersion' : '/kind';
    return { issues: [{ kind, name, path, message: `object #${index} has no ${!apiVersion ? 'apiVersion' : 'kind'}` }] };
  }
  const check = schemaFor(apiVersion, kind);
  if (!check) {
    const versions = apiVersionsOfKind(kind);
    const message = versions.length
      ? `apiVersion "${apiVersion}" is not known for kind ${kind}; use ${versions.join(' or ')}`
      : `unknown kind "${kind}" (apiVersion "${apiVersion}"): no schema for it in Kubernetes ${DEFAULT_KUBERNETES_VERSION} or the bundled CRDs`;
    return { issues: [{ kind, name, path: versions.length ? '/apiVersion' : '/kind', message }] };
  }
  const tracker = trackReads(record);
  const issues = schemaIssues(obj, kind, name, check(tracker.proxy));
  for (const u of tracker.unknownFields()) {
    issues.push({ kind, name, path: u.path,
      message: `unknown field "${u.field}" at ${pointerToField(u.path)}${u.suggestion ? `; did you mean "${u.suggestion}"?` : ''}` });
  }
  issues.push(...checkObject(obj));
  return { issues, object: obj };
}

function dedupe(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.kind}\u0000${i.name}\u0000${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Validates a set of objects offline: each against the strict schema of its apiVersion/kind, then
 * semantic checks within each object and across the set. Synchronous; nothing is fetched.
 */
export function validateManifests(objects: readonly K8sObject[], options: ValidateOptions = {}): ValidationResult {
  const kubernetesVersion = resolveVersion(options.kubernetesVersion);
  const errors: ValidationIssue[] = [];
  const valid: K8sObject[] = [];
  objects.forEach((o, i) => {
    const r = checkOne(o, i);
    errors.push(...r.issues);
    if (r.object) valid.push(r.object);
  });
  errors.push(...checkSet(valid));
  const out = dedupe(errors);
  return { valid: out.length === 0, kubernetesVersion, errors: out };
}

export interface YamlValidationResult extends ValidationResult {
  /** The objects the text held (empty documents skipped), in order. */
  objects: K8sObject[];
}

/**
 * Parses multi-document YAML and validates the objects as one set. Parse errors and documents that
 * are not objects are issues (kind and name empty, message naming the document and line).
 */
export function validateYamlDocuments(text: string, options: ValidateOptions & { source?: string } = {}): YamlValidationResult {
  const kubernetesVersion = resolveVersion(options.kubernetesVersion);
  const where = options.source ? `${options.source}: ` : '';
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  const parseIssues: ValidationIssue[] = [];
  const objects: K8sObject[] = [];
  const list = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) {
    parseIssues.push({ kind: '', name: '', path: '', message: `${where}not a YAML stream` });
  }
  list.forEach((doc, i) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const pos = lineCounter.linePos(e.pos[0]);
        parseIssues.push({ kind: '', name: '', path: '', message: `${where}YAML error in document ${i + 1} at line ${pos.line}, column ${pos.col}: ${e.message.split('\n')[0]}` });
      }
      return;
    }
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return;
    if (!isMap(doc.contents)) {
      parseIssues.push({ kind: '', name: '', path: '', message: `${where}document ${i + 1} is ${isSeq(doc.contents) ? 'a list' : 'a scalar'}, not a Kubernetes object` });
      return;
    }
    objects.push(doc.toJS({ maxAliasCount: 100 }) as K8sObject);
  });
  const result = validateManifests(objects, { kubernetesVersion });
  const errors = [...parseIssues, ...result.errors];
  return { valid: errors.length === 0, kubernetesVersion, errors, objects };
}
