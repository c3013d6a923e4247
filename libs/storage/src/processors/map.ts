import { AppError } from '@autoweave/contracts';
import { deletePath, fieldPathSchema, getPath, isFieldPath, setPath } from '../paths.js';
import type { Item, ProcessorDefinition } from '../types.js';

/**
 * Reshapes items: picks, copies/renames and drops fields.
 *
 * 1. `select`: start from only these fields (default: all of them);
 * 2. `fields`: `{target: 'source.path'}` sets `target` to the value at
 *    `source.path` of the input item (a missing source leaves `target` unset);
 * 3. `exclude`: then removes these fields.
 *
 * A rename is a copy plus an exclude: `{"fields": {"name": "full_name"}, "exclude": ["full_name"]}`.
 * Paths are dotted (`address.city`); targets may be dotted too (objects are
 * created on the way). The input item is never changed.
 */
export interface MapConfig {
  fields?: Record<string, string>;
  select?: string[];
  exclude?: string[];
}

const pathList = { type: 'array', minItems: 1, uniqueItems: true, items: fieldPathSchema } as const;

export const mapConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    fields: { type: 'object', minProperties: 1, additionalProperties: fieldPathSchema, description: '{target: "source.path"}' },
    select: { ...pathList, description: 'Keep only these fields (before `fields` are added).' },
    exclude: { ...pathList, description: 'Remove these fields (last).' },
  },
} as const;

export const mapProcessor: Omit<ProcessorDefinition, 'type'> = {
  description: 'Select, copy/rename and exclude fields',
  configSchema: mapConfigSchema,
  validate(config, where) {
    const { fields, select, exclude } = config as MapConfig;
    if (!fields && !select && !exclude) {
      throw new AppError('VALIDATION', `${where} must set at least one of fields, select, exclude`, { field: where });
    }
    for (const target of Object.keys(fields ?? {})) {
      if (!isFieldPath(target)) throw new AppError('VALIDATION', `${where}.fields: "${target}" is not a field path`, { field: `${where}.fields.${target}` });
    }
  },
  create(config) {
    const { fields, select, exclude } = config as MapConfig;
    const mappings = Object.entries(fields ?? {});
    return (item) => {
      let out: Item = select ? pick(item, select) : { ...item };
      for (const [target, source] of mappings) {
        const value = getPath(item, source);
        if (value !== undefined) out = setPath(out, target, structuredClone(value));
      }
      for (const path of exclude ?? []) out = deletePath(out, path);
      return out;
    };
  },
};

function pick(item: Item, paths: readonly string[]): Item {
  let out: Item = {};
  for (const path of paths) {
    const value = getPath(item, path);
    if (value !== undefined) out = setPath(out, path, structuredClone(value));
  }
  return out;
}
