import { AppError } from '@autoweave/contracts';
import pg from 'pg';

/**
 * What a schema, table or column name may be: letters, digits and `_`, not
 * starting with a digit, at most 63 characters (PostgreSQL's limit, beyond
 * which it silently truncates). Stricter than PostgreSQL, on purpose: a name
 * that passes can never carry SQL, and it is quoted as well (belt and braces).
 */
export const IDENTIFIER_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,62}$';
const IDENTIFIER = new RegExp(IDENTIFIER_PATTERN);

/**
 * A column type for `createTable`: a type name of words (`double precision`,
 * `timestamp with time zone`), an optional numeric modifier (`numeric(12,2)`,
 * `varchar(255)`, `vector(384)`) and optional array brackets. No quotes,
 * semicolons, comments or expressions can pass.
 */
export const COLUMN_TYPE_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*( [A-Za-z_][A-Za-z0-9_]*){0,3}( ?\\(\\d{1,5}( ?, ?\\d{1,5})?\\))?(\\[\\])?$';
const COLUMN_TYPE = new RegExp(COLUMN_TYPE_PATTERN);

export function isIdentifier(name: unknown): name is string {
  return typeof name === 'string' && IDENTIFIER.test(name);
}

/** Throws VALIDATION naming `field` unless `name` is a plain identifier. */
export function checkIdentifier(name: unknown, field: string): string {
  if (!isIdentifier(name)) {
    throw new AppError('VALIDATION', `${field} must be a plain identifier (letters, digits and _, not starting with a digit, at most 63 characters); got ${describe(name)}`, { field });
  }
  return name;
}

export function checkColumnType(type: unknown, field: string): string {
  if (typeof type !== 'string' || !COLUMN_TYPE.test(type)) {
    throw new AppError('VALIDATION', `${field} must be a PostgreSQL type name such as text, bigint, numeric(12,2), timestamptz or jsonb; got ${describe(type)}`, { field });
  }
  return type;
}

/** A validated identifier, double-quoted (so case and reserved words are kept as written). */
export function quote(name: string): string {
  return pg.escapeIdentifier(checkIdentifier(name, 'identifier'));
}

export function qualified(schema: string, table: string): string {
  return `${quote(schema)}.${quote(table)}`;
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return JSON.stringify((text ?? String(value)).slice(0, 80));
}
