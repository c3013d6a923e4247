import { AppError } from '@autoweave/contracts';
import { getPath, isFieldPath } from '../paths.js';
import type { VectorFilter } from './types.js';

/** Throws VALIDATION unless every key is a field path and every value a scalar. */
export function assertFilter(filter: unknown, where = 'filter'): asserts filter is VectorFilter {
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter)) {
    throw new AppError('VALIDATION', `${where} must be an object of field: value`, { field: where });
  }
  for (const [key, value] of Object.entries(filter)) {
    if (!isFieldPath(key)) throw new AppError('VALIDATION', `${where}: "${key}" is not a field path`, { field: `${where}.${key}` });
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new AppError('VALIDATION', `${where}.${key} must be a string, number or boolean`, { field: `${where}.${key}` });
    }
  }
}

/** Qdrant's `match` semantics: equal, or, for an array value, any element equal. */
export function matchesFilter(payload: Record<string, unknown>, filter: VectorFilter | undefined): boolean {
  if (!filter) return true;
  for (const [key, expected] of Object.entries(filter)) {
    const actual = getPath(payload, key);
    if (Array.isArray(actual) ? !actual.includes(expected) : actual !== expected) return false;
  }
  return true;
}
