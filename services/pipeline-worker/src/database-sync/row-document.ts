import { AppError } from '@autoweave/contracts';
import type { Item, ProcessorDefinition } from '@autoweave/storage';

export const ROW_DOCUMENT_PROCESSOR = 'row-document';

const COLUMN = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,62}$' } as const;
const FIELD = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,62}$' } as const;

/** Longest text made from one row (a remote embedding model has an input limit; a lexical one gains nothing past it). */
const MAX_TEXT = 8000;

export interface RowDocumentConfig {
  keyColumns: string[];
  keyField: string;
  textField?: string;
  textColumns?: string[];
}

/**
 * The key of a row as one string: the value of a one-column key, or the
 * JSON array of a composite key's values (unambiguous whatever they contain).
 */
export function rowKey(row: Item, keyColumns: readonly string[]): string {
  const values = keyColumns.map((column) => {
    const value = row[column];
    if (value === undefined || value === null || value === '') {
      throw new AppError('VALIDATION', `row has no value in key column ${column}`, { field: column });
    }
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
  return values.length === 1 ? values[0]! : JSON.stringify(values);
}

/**
 * The text a row is embedded from: `column: value` lines of `textColumns`,
 * else of every column but the key whose value is text, a number or a
 * boolean; the key alone when nothing else has a value.
 */
export function rowText(row: Item, config: Pick<RowDocumentConfig, 'keyColumns' | 'textColumns'>): string {
  const columns = config.textColumns ?? Object.keys(row).filter((c) => !config.keyColumns.includes(c) && !c.startsWith('_'));
  const lines = columns.flatMap((column) => {
    const value = row[column];
    if (typeof value === 'string') return value.trim() === '' ? [] : [`${column}: ${value}`];
    if (typeof value === 'number' || typeof value === 'boolean') return [`${column}: ${value}`];
    return [];
  });
  const text = lines.length > 0 ? lines.join('\n') : config.keyColumns.map((c) => `${c}: ${String(row[c])}`).join('\n');
  return text.length <= MAX_TEXT ? text : text.slice(0, MAX_TEXT);
}

/**
 * Sync pipelines into vector and graph stores need one key field (and a text
 * to embed) per row, whatever the table's key: this processor adds them.
 * `keyField` gets `rowKey`, `textField` (when set) gets `rowText`.
 */
export const rowDocumentProcessor: Omit<ProcessorDefinition, 'type'> = {
  description: 'Adds a row\u2019s key as one field (composite keys as a JSON array) and, optionally, a text of its columns to embed',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['keyColumns', 'keyField'],
    properties: {
      keyColumns: { type: 'array', minItems: 1, maxItems: 16, uniqueItems: true, items: COLUMN },
      keyField: FIELD,
      textField: FIELD,
      textColumns: { type: 'array', minItems: 1, maxItems: 1600, uniqueItems: true, items: COLUMN },
    },
  },
  create(config) {
    const c = config as unknown as RowDocumentConfig;
    return (row) => ({ ...row, [c.keyField]: rowKey(row, c.keyColumns), ...(c.textField ? { [c.textField]: rowText(row, c) } : {}) });
  },
};
