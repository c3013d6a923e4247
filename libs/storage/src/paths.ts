import type { Item } from './types.js';

/**
 * Field paths in processor configs and search filters: dot-separated field
 * names (`address.city`, `tags.0`). Segments that would reach an object's
 * prototype are refused, so a config can never pollute or read it.
 */
export const FIELD_PATH_PATTERN = '^(?!(?:.*\\.)?(?:__proto__|constructor|prototype)(?:\\.|$))[^.]+(?:\\.[^.]+)*$';
const FIELD_PATH = new RegExp(FIELD_PATH_PATTERN, 'u');

/** JSON Schema of one field path. */
export const fieldPathSchema = { type: 'string', minLength: 1, maxLength: 500, pattern: FIELD_PATH_PATTERN } as const;

export function isFieldPath(path: string): boolean {
  return FIELD_PATH.test(path);
}

export function splitPath(path: string): string[] {
  if (!isFieldPath(path)) throw new Error(`"${path}" is not a field path`);
  return path.split('.');
}

/** The value at `path`, reading own properties only; undefined when any step is missing. */
export function getPath(value: unknown, path: string | readonly string[]): unknown {
  const segments = typeof path === 'string' ? splitPath(path) : path;
  let current = value;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A copy of `item` with `value` at `path`. Objects along the path are copied,
 * never changed, so the input item stays as it was; missing or non-object
 * steps become new objects.
 */
export function setPath(item: Item, path: string | readonly string[], value: unknown): Item {
  const segments = typeof path === 'string' ? splitPath(path) : path;
  const set = (target: unknown, index: number): Record<string, unknown> => {
    const copy: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
    const key = segments[index]!;
    copy[key] = index === segments.length - 1 ? value : set(copy[key], index + 1);
    return copy;
  };
  return set(item, 0);
}

/** A copy of `item` without the field at `path` (unchanged when it is absent). */
export function deletePath(item: Item, path: string | readonly string[]): Item {
  const segments = typeof path === 'string' ? splitPath(path) : path;
  const remove = (target: Record<string, unknown>, index: number): Record<string, unknown> => {
    const key = segments[index]!;
    if (!Object.hasOwn(target, key)) return target;
    const copy = { ...target };
    if (index === segments.length - 1) {
      delete copy[key];
      return copy;
    }
    const next = copy[key];
    if (!isPlainObject(next)) return target;
    copy[key] = remove(next, index + 1);
    return copy;
  };
  return remove(item, 0);
}

/** A short, single-line rendering of a value for error messages. */
export function preview(value: unknown, max = 60): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}...` : text;
}
