import { AppError } from '@autoweave/contracts';
import { fieldPathSchema, getPath, preview, setPath } from '../paths.js';
import type { Item, ProcessorDefinition } from '../types.js';

/**
 * Splits a long text field into overlapping chunks, one item per chunk (for
 * embedding: models take limited input, and a short chunk matches a query
 * better than a whole document).
 *
 * Sizes count characters (Unicode code points, never splitting one). A chunk
 * ends at the last whitespace in its second half when there is one, so words
 * stay whole; the next chunk starts `overlap` characters before the end of
 * the previous one. Each chunk item is a copy of the item with:
 * - `field` = the chunk text;
 * - `keyField` = `<key>#<index>` (so chunks upsert by their own key, and
 *   re-chunking the same text rewrites the same chunks);
 * - `chunkIndex` (0-based), `chunkCount`, `parentKey` (the original key).
 * A text that is empty (or only whitespace) gives no chunks: the item is dropped.
 */
export interface ChunkConfig {
  field: string;
  size: number;
  overlap: number;
  keyField: string;
}

export const chunkConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['field'],
  properties: {
    field: { ...fieldPathSchema, description: 'The text field to split.' },
    size: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1000, description: 'Maximum characters per chunk.' },
    overlap: { type: 'integer', minimum: 0, maximum: 999_999, default: 0, description: 'Characters repeated from the end of the previous chunk; less than size.' },
    keyField: { ...fieldPathSchema, default: 'id', description: 'The item key; chunks get `<key>#<index>`.' },
  },
} as const;

/** Splits `text` into chunks as described above. */
export function chunkText(text: string, size: number, overlap: number): string[] {
  const chars = Array.from(text);
  if (text.trim() === '') return [];
  const chunks: string[] = [];
  let start = 0;
  while (start < chars.length) {
    let end = Math.min(start + size, chars.length);
    if (end < chars.length) {
      // Prefer to end after a whitespace in the second half of the window.
      for (let i = end; i > start + Math.floor(size / 2); i--) {
        if (/\s/u.test(chars[i - 1]!)) {
          end = i;
          break;
        }
      }
    }
    chunks.push(chars.slice(start, end).join(''));
    if (end >= chars.length) break;
    start = Math.max(end - overlap, start + 1);
  }
  return chunks;
}

export const chunkProcessor: Omit<ProcessorDefinition, 'type'> = {
  description: 'Split a text field into overlapping chunks, one item each, keyed <key>#<index>',
  configSchema: chunkConfigSchema,
  validate(config, where) {
    if ((config.overlap as number) >= (config.size as number)) {
      throw new AppError('VALIDATION', `${where}.overlap must be less than size (${config.size as number})`, { field: `${where}.overlap` });
    }
  },
  create(config) {
    const { field, size, overlap, keyField } = config as unknown as ChunkConfig;
    return (item) => {
      const text = getPath(item, field);
      if (typeof text !== 'string') {
        throw new AppError('VALIDATION', `chunk: field "${field}" must be a string (got ${preview(text)})`, { field });
      }
      const key = getPath(item, keyField);
      if ((typeof key !== 'string' || key === '') && !(typeof key === 'number' && Number.isFinite(key))) {
        throw new AppError('VALIDATION', `chunk: key field "${keyField}" must be a non-empty string or a number (got ${preview(key)})`, { field: keyField });
      }
      const chunks = chunkText(text, size, overlap);
      return chunks.map((chunk, index): Item => {
        let out = setPath(item, field, chunk);
        out = setPath(out, keyField, `${String(key)}#${index}`);
        return { ...out, chunkIndex: index, chunkCount: chunks.length, parentKey: key };
      });
    };
  },
};
