import { AppError } from '@autoweave/contracts';
import { isPlainObject } from './schema-normalize.js';

/**
 * OpenAPI parameter serialisation (the `style` / `explode` table of the spec).
 * Path and query output is percent-encoded; header output is raw text.
 */

const enc = encodeURIComponent;

/** A scalar as text: strings as they are, numbers/booleans by String(), null as '', others as JSON. */
export function scalarText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

function entriesOf(value: Record<string, unknown>): Array<[string, unknown]> {
  return Object.entries(value).filter(([, v]) => v !== undefined);
}

/** Path parameter: styles simple (default), label and matrix. Returns the encoded text. */
export function serializePath(name: string, value: unknown, style = 'simple', explode = false): string {
  if (style === 'label') return serializeLabel(value, explode);
  if (style === 'matrix') return serializeMatrix(name, value, explode);
  if (Array.isArray(value)) return value.map((v) => enc(scalarText(v))).join(',');
  if (isPlainObject(value)) return joinPairs(entriesOf(value), explode ? '=' : ',', ',', enc);
  return enc(scalarText(value));
}

function serializeLabel(value: unknown, explode: boolean): string {
  const sep = explode ? '.' : ',';
  if (Array.isArray(value)) return '.' + value.map((v) => enc(scalarText(v))).join(sep);
  if (isPlainObject(value)) return '.' + joinPairs(entriesOf(value), explode ? '=' : ',', sep, enc);
  return '.' + enc(scalarText(value));
}

function serializeMatrix(name: string, value: unknown, explode: boolean): string {
  if (Array.isArray(value)) {
    return explode ? value.map((v) => `;${enc(name)}=${enc(scalarText(v))}`).join('') : `;${enc(name)}=${value.map((v) => enc(scalarText(v))).join(',')}`;
  }
  if (isPlainObject(value)) {
    return explode ? entriesOf(value).map(([k, v]) => `;${enc(k)}=${enc(scalarText(v))}`).join('') : `;${enc(name)}=${joinPairs(entriesOf(value), ',', ',', enc)}`;
  }
  return `;${enc(name)}=${enc(scalarText(value))}`;
}

function joinPairs(entries: Array<[string, unknown]>, kvSep: string, pairSep: string, encode: (s: string) => string): string {
  return entries.map(([k, v]) => `${encode(k)}${kvSep}${encode(scalarText(v))}`).join(pairSep);
}

/**
 * Query parameter as encoded `name=value` pairs. Styles: form (default; explode defaults to
 * true: arrays repeat the name, objects become their own key=value pairs), spaceDelimited,
 * pipeDelimited (arrays joined by %20 / |), deepObject (`name[key]=value`, nested objects
 * nest further, arrays repeat the key).
 */
export function serializeQuery(name: string, value: unknown, style = 'form', explode?: boolean): string[] {
  const exploded = explode ?? style === 'form';
  if (style === 'deepObject') return isPlainObject(value) ? deepObjectPairs(enc(name), value) : [`${enc(name)}=${enc(scalarText(value))}`];
  if (Array.isArray(value)) {
    if (exploded) return value.map((v) => `${enc(name)}=${enc(scalarText(v))}`);
    const sep = style === 'spaceDelimited' ? '%20' : style === 'pipeDelimited' ? '|' : ',';
    return [`${enc(name)}=${value.map((v) => enc(scalarText(v))).join(sep)}`];
  }
  if (isPlainObject(value)) {
    if (exploded) return entriesOf(value).map(([k, v]) => `${enc(k)}=${enc(scalarText(v))}`);
    return [`${enc(name)}=${joinPairs(entriesOf(value), ',', ',', enc)}`];
  }
  return [`${enc(name)}=${enc(scalarText(value))}`];
}

function deepObjectPairs(prefix: string, value: Record<string, unknown>): string[] {
  return entriesOf(value).flatMap(([k, v]) => {
    const key = `${prefix}[${enc(k)}]`;
    if (isPlainObject(v)) return deepObjectPairs(key, v);
    if (Array.isArray(v)) return v.map((item) => `${key}=${enc(scalarText(item))}`);
    return [`${key}=${enc(scalarText(v))}`];
  });
}

/** Header parameter (style simple): arrays comma-joined, objects `k,v,k2,v2` or exploded `k=v,k2=v2`. */
export function serializeHeader(name: string, value: unknown, explode = false): string {
  const text = Array.isArray(value)
    ? value.map(scalarText).join(',')
    : isPlainObject(value)
      ? joinPairs(entriesOf(value), explode ? '=' : ',', ',', (s) => s)
      : scalarText(value);
  assertHeaderSafe(name, text);
  return text;
}

/** Cookie parameter (style form) as `name=value` crumbs, values percent-encoded. */
export function serializeCookie(name: string, value: unknown, explode?: boolean): string[] {
  const exploded = explode ?? true;
  if (Array.isArray(value)) {
    return exploded ? value.map((v) => `${name}=${enc(scalarText(v))}`) : [`${name}=${value.map((v) => enc(scalarText(v))).join(',')}`];
  }
  if (isPlainObject(value)) {
    return exploded ? entriesOf(value).map(([k, v]) => `${k}=${enc(scalarText(v))}`) : [`${name}=${joinPairs(entriesOf(value), ',', ',', enc)}`];
  }
  return [`${name}=${enc(scalarText(value))}`];
}

/** Header values must not carry CR, LF or NUL (header injection); the value itself is not quoted. */
export function assertHeaderSafe(name: string, value: string): void {
  if (/[\r\n\0]/.test(value)) throw new AppError('VALIDATION', `invalid parameters: ${name} (must not contain line breaks)`, { fields: [{ field: name, problems: ['must not contain line breaks'] }] });
}
