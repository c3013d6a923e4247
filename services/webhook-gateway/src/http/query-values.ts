import type { JsonObject } from './json-body.js';

/** Query values are strings; a whole number is sent as a number, anything else as given (the handler names it if invalid). */
export function numeric(value: unknown): unknown {
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
}

/** The entries whose value is set: absent query parameters are left out of the request. */
export function defined(values: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}
