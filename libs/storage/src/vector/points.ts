import { AppError } from '@autoweave/contracts';
import { getPath, preview } from '../paths.js';
import type { Item } from '../types.js';
import type { VectorPoint } from './types.js';

export interface PointFields {
  /** The item field (or dotted path) whose value is the item's key. */
  keyField: string;
  /** The item field holding the vector (an array of numbers); it is left out of the payload. */
  vectorField: string;
}

/** The key of an item as a string: a non-empty string or a finite number. */
export function keyOf(item: Item, keyField: string): string {
  const key = getPath(item, keyField);
  if (typeof key === 'string' && key !== '') return key;
  if (typeof key === 'number' && Number.isFinite(key)) return String(key);
  throw new AppError('VALIDATION', `item key field "${keyField}" must be a non-empty string or a number (got ${preview(key)})`, { field: keyField });
}

/**
 * Items as vector points: id = the item's key, payload = the item without
 * its vector. Throws VALIDATION naming the item when a key or vector is
 * missing or not numbers, before anything is written.
 */
export function itemsToPoints(items: readonly Item[], fields: PointFields): VectorPoint[] {
  return items.map((item) => {
    const id = keyOf(item, fields.keyField);
    const vector = item[fields.vectorField];
    if (!Array.isArray(vector) || vector.length === 0 || !vector.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new AppError('VALIDATION', `item "${id}": field "${fields.vectorField}" must be a non-empty array of numbers (did an embed processor run?)`, {
        field: fields.vectorField,
        key: id,
      });
    }
    const { [fields.vectorField]: _vector, ...payload } = item;
    return { id, vector: vector as number[], payload };
  });
}
