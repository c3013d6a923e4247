import { stringify, type ToStringOptions, type DocumentOptions, type SchemaOptions, type CreateNodeOptions } from 'yaml';

/**
 * Stable YAML options: no line folding (lineWidth 0), no anchors/aliases, keys in insertion order
 * (objects are built in the conventional order), and YAML 1.1 quoting so that strings such as
 * "yes", "on", "0755" or "12:30" stay strings for kubectl and other YAML 1.1 readers.
 */
export const YAML_OPTIONS: DocumentOptions & SchemaOptions & CreateNodeOptions & ToStringOptions = {
  version: '1.1',
  lineWidth: 0,
  minContentWidth: 0,
  indent: 2,
  aliasDuplicateObjects: false,
  sortMapEntries: false,
  directives: false,
};

/** One object as YAML text (ends with a newline). */
export function toYaml(value: unknown): string {
  return stringify(value, YAML_OPTIONS);
}

/** Several objects as one multi-document YAML stream: each document starts with `---`. */
export function toMultiDocYaml(objects: readonly unknown[]): string {
  return objects.map((o) => `---\n${toYaml(o)}`).join('');
}

/** JSON with object keys sorted recursively (arrays keep their order): the same value always gives the same text. */
export function stableJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const src = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(src).sort()) {
      if (src[key] !== undefined) out[key] = sortKeys(src[key]);
    }
    return out;
  }
  return value;
}
