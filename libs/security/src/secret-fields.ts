import { SECRET_MASK } from '@autoweave/contracts';
import type { SecretBox } from './secret-box.js';

type Json = Record<string, unknown>;

/**
 * Rewrites the values at the secret field paths of a config (`auth.token`,
 * `headers.*` for every value of an object) and returns a new object; the
 * input is left untouched. Absent fields stay absent.
 */
export function mapSecrets(config: Json, paths: readonly string[], fn: (value: unknown, path: string) => unknown): Json {
  const out = structuredClone(config);
  for (const path of paths) visit(out, path.split('.'), [], fn);
  return out;
}

function visit(node: unknown, rest: string[], seen: string[], fn: (value: unknown, path: string) => unknown): void {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
  const obj = node as Json;
  const [head, ...tail] = rest;
  const keys = head === '*' ? Object.keys(obj) : head !== undefined && Object.hasOwn(obj, head) ? [head] : [];
  for (const key of keys) {
    if (tail.length === 0) {
      if (obj[key] !== undefined && obj[key] !== null) obj[key] = fn(obj[key], [...seen, key].join('.'));
    } else {
      visit(obj[key], tail, [...seen, key], fn);
    }
  }
}

export function maskSecrets(config: Json, paths: readonly string[]): Json {
  return mapSecrets(config, paths, () => SECRET_MASK);
}

/** Paths whose value is the mask: the caller sent back what it read and means "keep it". */
export function maskedPaths(config: Json, paths: readonly string[]): Set<string> {
  const found = new Set<string>();
  mapSecrets(config, paths, (value, path) => {
    if (value === SECRET_MASK) found.add(path);
    return value;
  });
  return found;
}

/** The config as stored: every secret field's value sealed (as JSON) with `box`. */
export function sealSecretFields(config: Json, paths: readonly string[], box: SecretBox): Json {
  return mapSecrets(config, paths, (value) => box.seal(JSON.stringify(value)));
}
