import { AppError } from '@autoweave/contracts';
import type { ConfigSchema } from '../../types.js';
import { checkColumnType, checkIdentifier, COLUMN_TYPE_PATTERN, IDENTIFIER_PATTERN } from './identifiers.js';

/** A destination column, with its type when the table is created on demand. */
export interface PostgresColumnSpec {
  name: string;
  type: string;
  /** Default true; key columns are always NOT NULL. */
  nullable?: boolean;
}

export interface PostgresConfig {
  connectionString: string;
  schema: string;
  table?: string;
  /** Source only: a read-only SELECT, read as a subquery with the same keyset logic as a table. */
  query?: string;
  /** The primary key: upsert target for a destination, tie-breaker (and full-refresh order) for a source. */
  keyColumns: string[];
  /** Source, incremental: the column that grows when a row changes (updated_at, a sequence...). */
  cursorColumn?: string;
  /** Default: `incremental` when `cursorColumn` is set, else `full`. */
  mode?: 'incremental' | 'full';
  /** Source: the columns to read (default all). Destination: the columns to write, with types when `createTable`. */
  columns?: Array<string | PostgresColumnSpec>;
  /** Destination: create the schema and table when they do not exist (needs typed `columns`). */
  createTable: boolean;
  /** Connections of the pool shared by every stage using this connection string in this process (the first one sets it). */
  poolSize: number;
}

const identifier = (description: string): ConfigSchema => ({ type: 'string', pattern: IDENTIFIER_PATTERN, description });

export const postgresConfigSchema: ConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['connectionString', 'keyColumns'],
  properties: {
    connectionString: {
      type: 'string',
      minLength: 1,
      maxLength: 4096,
      pattern: '^postgres(ql)?://',
      description: 'postgres://user:password@host:5432/database (a secret: never logged or returned)',
    },
    schema: { ...identifier('schema of the table'), default: 'public' },
    table: identifier('table to read or write'),
    query: {
      type: 'string',
      minLength: 1,
      maxLength: 20_000,
      description: 'source only: a SELECT, run read-only as a subquery (one statement)',
    },
    keyColumns: {
      type: 'array',
      minItems: 1,
      maxItems: 16,
      uniqueItems: true,
      items: identifier('a primary key column'),
      description: 'primary key columns: upsert target, and tie-breaker of the source order',
    },
    cursorColumn: identifier('source: the column that grows on insert and update, e.g. updated_at'),
    mode: { enum: ['incremental', 'full'], description: 'source: incremental (needs cursorColumn) or full refresh' },
    columns: {
      type: 'array',
      minItems: 1,
      maxItems: 1600,
      // if/then/else rather than anyOf: an error names the field of the form that was meant.
      items: {
        if: { type: 'string' },
        then: identifier('a column name'),
        else: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'type'],
          properties: {
            name: identifier('a column name'),
            type: { type: 'string', pattern: COLUMN_TYPE_PATTERN, description: 'a PostgreSQL type: text, bigint, numeric(12,2), timestamptz, jsonb...' },
            nullable: { type: 'boolean' },
          },
        },
      },
      description: 'source: columns to read; destination: columns to write (with types to create the table)',
    },
    createTable: { type: 'boolean', default: false, description: 'destination: create the table on demand from typed columns' },
    poolSize: { type: 'integer', minimum: 1, maximum: 100, default: 5 },
  },
};

export function columnName(column: string | PostgresColumnSpec): string {
  return typeof column === 'string' ? column : column.name;
}

/** Incremental when a cursor column is given, unless full refresh is asked for. */
export function readMode(config: PostgresConfig): 'incremental' | 'full' {
  return config.mode ?? (config.cursorColumn ? 'incremental' : 'full');
}

/**
 * What the schema cannot say: which fields go together, and per role. Throws
 * VALIDATION naming the field under `where`.
 */
export function checkPostgresConfig(config: PostgresConfig, role: 'source' | 'destination', where: string): void {
  const fail = (field: string, message: string): never => {
    throw new AppError('VALIDATION', `${where}.${field} ${message}`, { field: `${where}.${field}` });
  };
  if (!validUrl(config.connectionString)) fail('connectionString', 'must be a URL: postgres://user:password@host:5432/database');
  // The schema checks these too; repeated here for configs that reach an adapter without it.
  checkIdentifier(config.schema ?? 'public', `${where}.schema`);
  if (config.table !== undefined) checkIdentifier(config.table, `${where}.table`);
  if (config.cursorColumn !== undefined) checkIdentifier(config.cursorColumn, `${where}.cursorColumn`);
  if (!Array.isArray(config.keyColumns) || config.keyColumns.length === 0) fail('keyColumns', 'must name at least one column');
  config.keyColumns.forEach((key, i) => checkIdentifier(key, `${where}.keyColumns.${i}`));
  (config.columns ?? []).forEach((column, i) => {
    if (typeof column === 'string') checkIdentifier(column, `${where}.columns.${i}`);
    else {
      checkIdentifier(column.name, `${where}.columns.${i}.name`);
      checkColumnType(column.type, `${where}.columns.${i}.type`);
    }
  });
  const names = (config.columns ?? []).map(columnName);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) fail('columns', `names ${duplicate} twice`);

  if (role === 'destination') {
    if (config.query !== undefined) fail('query', 'is for a source; a destination writes to a table');
    if (!config.table) fail('table', 'is required for a destination');
    if (config.cursorColumn !== undefined || config.mode !== undefined) fail(config.mode !== undefined ? 'mode' : 'cursorColumn', 'is for a source');
    if (config.createTable) {
      if (!config.columns) fail('columns', 'are required with createTable: each {name, type}');
      config.columns!.forEach((column, i) => {
        if (typeof column === 'string') fail(`columns.${i}`, 'needs a type to create the table: {name, type}');
      });
      for (const key of config.keyColumns) if (!names.includes(key)) fail('keyColumns', `names ${key}, which is not among columns`);
    }
    return;
  }

  if (config.createTable) fail('createTable', 'is for a destination');
  if (config.table === undefined && config.query === undefined) fail('table', 'or query is required for a source');
  if (config.table !== undefined && config.query !== undefined) fail('query', 'cannot be given together with table');
  if (config.mode === 'incremental' && !config.cursorColumn) fail('cursorColumn', 'is required in incremental mode');
  if (config.mode === 'full' && config.cursorColumn) fail('cursorColumn', 'has no use in full mode (the key orders a full refresh)');
  if (config.query !== undefined && sqlText(config.query) === '') fail('query', 'is empty');
}

/** The query without trailing semicolons (it becomes a subquery). */
export function sqlText(query: string): string {
  return query.trim().replace(/[;\s]+$/, '');
}

function validUrl(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    return /^postgres(ql)?:$/.test(new URL(text).protocol);
  } catch {
    return false;
  }
}
