import { AppError } from '@autoweave/contracts';
import { getPath, isFieldPath, preview, setPath } from '../paths.js';
import type { Item, ProcessorDefinition } from '../types.js';

/**
 * Converts field values to a type: `{"fields": {"price": "number", "active": "boolean"}}`.
 *
 * | type | accepts | gives |
 * | --- | --- | --- |
 * | string | string, number, boolean; objects and arrays as JSON text | string |
 * | number | finite number; numeric string ("12.5", " 3 ") ; boolean (1/0) | number |
 * | integer | as number, but only whole values within +/- 2^53 ("12.5" fails: no silent truncation) | number |
 * | boolean | boolean; 1/0; "true/false/yes/no/y/n/on/off/1/0" (any case) | boolean |
 * | date | ISO 8601 or other Date-parsable string; number = epoch milliseconds | ISO 8601 string (UTC) |
 * | json | JSON text (parsed); a non-string is left as it is | any |
 *
 * A missing field or null stays as it is. A value that cannot convert fails
 * the item (dead-letter) with an error naming the field and the value.
 */
export const CONVERSION_TYPES = ['string', 'number', 'integer', 'boolean', 'date', 'json'] as const;
export type ConversionType = (typeof CONVERSION_TYPES)[number];

export const convertConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['fields'],
  properties: {
    fields: { type: 'object', minProperties: 1, additionalProperties: { enum: [...CONVERSION_TYPES] }, description: '{field: type}' },
  },
} as const;

const TRUE = new Set(['true', 'yes', 'y', 'on', '1']);
const FALSE = new Set(['false', 'no', 'n', 'off', '0']);

class Unconvertible extends Error {}

export function convertValue(value: unknown, type: ConversionType): unknown {
  switch (type) {
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return JSON.stringify(value);
    case 'number':
    case 'integer': {
      let n: number;
      if (typeof value === 'number') n = value;
      else if (typeof value === 'boolean') n = value ? 1 : 0;
      else if (typeof value === 'string' && value.trim() !== '') n = Number(value.trim());
      else throw new Unconvertible();
      if (!Number.isFinite(n)) throw new Unconvertible();
      if (type === 'integer' && !Number.isSafeInteger(n)) throw new Unconvertible();
      return n;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === 0) return value === 1;
      if (typeof value === 'string') {
        const word = value.trim().toLowerCase();
        if (TRUE.has(word)) return true;
        if (FALSE.has(word)) return false;
      }
      throw new Unconvertible();
    case 'date': {
      const date = typeof value === 'number' ? new Date(value) : typeof value === 'string' && value.trim() !== '' ? new Date(value.trim()) : undefined;
      if (!date || Number.isNaN(date.getTime())) throw new Unconvertible();
      return date.toISOString();
    }
    case 'json':
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        throw new Unconvertible();
      }
  }
}

export const convertProcessor: Omit<ProcessorDefinition, 'type'> = {
  description: 'Convert field values to string, number, integer, boolean, date (ISO 8601) or json (parsed)',
  configSchema: convertConfigSchema,
  validate(config, where) {
    for (const field of Object.keys(config.fields as Record<string, string>)) {
      if (!isFieldPath(field)) throw new AppError('VALIDATION', `${where}.fields: "${field}" is not a field path`, { field: `${where}.fields.${field}` });
    }
  },
  create(config) {
    const conversions = Object.entries(config.fields as Record<string, ConversionType>);
    return (item) => {
      let out: Item = item;
      for (const [field, type] of conversions) {
        const value = getPath(item, field);
        if (value === undefined || value === null) continue;
        let converted: unknown;
        try {
          converted = convertValue(value, type);
        } catch (err) {
          if (!(err instanceof Unconvertible)) throw err;
          throw new AppError('VALIDATION', `convert: field "${field}" value ${preview(value)} cannot be converted to ${type}`, { field, type });
        }
        if (converted !== value) out = setPath(out, field, converted);
      }
      return out === item ? { ...item } : out;
    };
  },
};
