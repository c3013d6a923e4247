import { AppError } from '@autoweave/contracts';
import { fieldPathSchema, getPath } from '../paths.js';
import type { ProcessorDefinition } from '../types.js';

/**
 * Drops items whose key (the values of `fields`) was already seen in this
 * run; the first one passes. Within one run only: keys are held in memory
 * (about 100 bytes each) and forgotten when the run ends, and across runs the
 * destination's upsert by key is what keeps data unique. An item missing a
 * key field fails (dead-letter) rather than being folded into other keyless items.
 */
export const dedupeConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['fields'],
  properties: {
    fields: { type: 'array', minItems: 1, uniqueItems: true, items: fieldPathSchema, description: 'Fields that together make the key.' },
  },
} as const;

export const dedupeProcessor: Omit<ProcessorDefinition, 'type'> = {
  description: 'Drop items whose key fields repeat an item seen earlier in the run',
  configSchema: dedupeConfigSchema,
  create(config) {
    const fields = config.fields as string[];
    const seen = new Set<string>();
    return (item) => {
      const values = fields.map((field) => {
        const value = getPath(item, field);
        if (value === undefined || value === null) throw new AppError('VALIDATION', `dedupe: key field "${field}" is missing`, { field });
        return value;
      });
      const key = JSON.stringify(values);
      if (seen.has(key)) return null;
      seen.add(key);
      return { ...item };
    };
  },
};
