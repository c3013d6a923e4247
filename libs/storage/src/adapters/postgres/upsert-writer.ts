import { createHash } from 'node:crypto';
import { AppError } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import type pg from 'pg';
import type { Item } from '../../types.js';
import { inTransaction } from './connection.js';
import { postgresError } from './errors.js';
import { checkColumnType, isIdentifier, qualified, quote } from './identifiers.js';
import { columnName, type PostgresColumnSpec, type PostgresConfig } from './postgres.config.js';

/** PostgreSQL's limit on parameters of one statement. */
export const MAX_PARAMETERS = 65_535;
/** Statement texts a writer prepares (see statement). */
const MAX_PREPARED = 4;
/** Statement texts a writer keeps built (by form, columns and row count). */
const MAX_CACHED = 16;

interface ColumnInfo {
  name: string;
  /** json/jsonb: values are sent as JSON text. */
  json: boolean;
  /** An array type: JS arrays go as PostgreSQL arrays. */
  array: boolean;
  /**
   * The column's type (a domain's base type) as `"schema"."type"`, which
   * `unnest($n::type[])` sends a column of values as; undefined for array
   * types (unnest would flatten them) and names that are not plain identifiers.
   */
  element?: string;
}

/** An upsert statement's text, and its prepared-statement name when it is one of the writer's first few texts. */
interface Statement {
  text: string;
  name?: string;
}

/** One multi-row upsert statement over the given columns for `rows` rows: a parameter per value. */
export function upsertSql(target: string, columns: string[], keyColumns: string[], rows: number): string {
  const tuples: string[] = [];
  for (let r = 0, p = 1; r < rows; r++) {
    const placeholders: string[] = [];
    for (let c = 0; c < columns.length; c++) placeholders.push(`$${p++}`);
    tuples.push(`(${placeholders.join(', ')})`);
  }
  return `INSERT INTO ${target} (${columns.map(quote).join(', ')}) VALUES ${tuples.join(', ')} ${onConflict(columns, keyColumns)}`;
}

/**
 * The same upsert for any number of rows with a parameter per column: each an
 * array of the column's values (`unnest($1::"pg_catalog"."int8"[], ...)`).
 * Far less to encode and send than a parameter per value, and one text (one
 * prepared statement) for every batch size.
 */
export function unnestUpsertSql(target: string, columns: Array<{ name: string; element: string }>, keyColumns: string[]): string {
  const names = columns.map((c) => c.name);
  const arrays = columns.map((c, i) => `$${i + 1}::${c.element}[]`).join(', ');
  return `INSERT INTO ${target} (${names.map(quote).join(', ')}) SELECT * FROM unnest(${arrays}) ${onConflict(names, keyColumns)}`;
}

function onConflict(columns: string[], keyColumns: string[]): string {
  const updated = columns.filter((c) => !keyColumns.includes(c));
  const action = updated.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${updated.map((c) => `${quote(c)} = EXCLUDED.${quote(c)}`).join(', ')}`;
  return `ON CONFLICT (${keyColumns.map(quote).join(', ')}) ${action}`;
}

/** `CREATE TABLE IF NOT EXISTS` from typed columns, the key columns NOT NULL and the primary key. */
export function createTableSql(target: string, columns: PostgresColumnSpec[], keyColumns: string[]): string {
  const defs = columns.map((c, i) => {
    const notNull = keyColumns.includes(c.name) || c.nullable === false ? ' NOT NULL' : '';
    return `${quote(c.name)} ${checkColumnType(c.type, `columns.${i}.type`)}${notNull}`;
  });
  return `CREATE TABLE IF NOT EXISTS ${target} (${defs.join(', ')}, PRIMARY KEY (${keyColumns.map(quote).join(', ')}))`;
}

/**
 * Writes batches as idempotent upserts: `INSERT ... ON CONFLICT (keys) DO
 * UPDATE`, in multi-row statements of at most as many rows as PostgreSQL's
 * parameter limit allows values, all statements of a batch in one
 * transaction. Values go as one array per column (unnest) when every column
 * and value allows it, else as one parameter per value. Writing the same
 * batch twice leaves the same rows. Items are matched to columns by field name: fields
 * that are not columns are ignored, columns that no item of the batch has are
 * left alone, and an item without a field another item of its batch has
 * writes NULL there.
 */
export class UpsertWriter {
  private table?: Promise<Map<string, ColumnInfo>>;
  private readonly target: string;
  private readonly warnedFields = new Set<string>();
  private readonly statements = new Map<string, Statement>();
  private prepared = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly config: PostgresConfig,
    private readonly logger: Logger,
  ) {
    this.target = qualified(config.schema, config.table!);
  }

  async write(batch: Item[]): Promise<number> {
    if (batch.length === 0) return 0;
    this.table ??= this.prepareTable().catch((err: unknown) => {
      this.table = undefined; // a failed preparation (database down) is retried on the next batch
      throw err;
    });
    const table = await this.table;
    const rows = this.dedupe(batch);
    const columns = this.columnsOf(rows, table);
    const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
    const unnest = columns.every((c) => c.element !== undefined);
    const statements: Array<Statement & { values: unknown[] }> = [];
    for (let start = 0; start < rows.length; start += perStatement) {
      const end = Math.min(rows.length, start + perStatement);
      const arrays = unnest ? columnArrays(rows, start, end, columns) : undefined;
      if (arrays) statements.push({ ...this.statement(columns, 0), values: arrays });
      else statements.push({ ...this.statement(columns, end - start), values: parameters(rows, start, end, columns) });
    }
    await this.run(statements);
    return rows.length;
  }

  /**
   * The same statement comes back batch after batch (same columns, and the
   * same batch size for a parameter per value): its text is built once per
   * writer, and prepared once per connection it is parsed and planned once.
   * Only the first few texts of a writer are prepared, so odd sizes (the last
   * batch of a run) do not pile up in the server's memory.
   * rows = 0: the unnest form, one text for any number of rows.
   */
  private statement(columns: ColumnInfo[], rows: number): Statement {
    const names = columns.map((c) => c.name);
    const key = `${rows}:${names.join(',')}`;
    const cached = this.statements.get(key);
    if (cached) return cached;
    const text =
      rows === 0
        ? unnestUpsertSql(this.target, columns.map((c) => ({ name: c.name, element: c.element! })), this.config.keyColumns)
        : upsertSql(this.target, names, this.config.keyColumns, rows);
    const statement: Statement = this.prepared < MAX_PREPARED ? { text, name: statementName(text) } : { text };
    if (statement.name) this.prepared += 1;
    if (this.statements.size >= MAX_CACHED) {
      // The oldest unprepared text goes; prepared ones stay (there are fewer of them than the cache holds).
      for (const [k, s] of this.statements) {
        if (!s.name) {
          this.statements.delete(k);
          break;
        }
      }
    }
    this.statements.set(key, statement);
    return statement;
  }

  private async run(statements: Array<Statement & { values: unknown[] }>): Promise<void> {
    try {
      if (statements.length === 1) {
        await this.pool.query(statements[0]!); // one statement is atomic on its own
        return;
      }
      await inTransaction(this.pool, 'BEGIN', async (client) => {
        for (const statement of statements) await client.query(statement);
      });
    } catch (err) {
      const error = postgresError(err, `writing to ${this.config.schema}.${this.config.table}`);
      if ((error.details as { sqlstate?: string } | undefined)?.sqlstate === '42P10') {
        throw new AppError('VALIDATION', `${this.config.schema}.${this.config.table} has no primary key or unique constraint on (${this.config.keyColumns.join(', ')}); keyColumns must name one`, { field: 'keyColumns' });
      }
      throw error;
    }
  }

  /** Creates the table when asked to, then reads which columns it has (once per writer). */
  private async prepareTable(): Promise<Map<string, ColumnInfo>> {
    const { config } = this;
    const what = `preparing ${config.schema}.${config.table}`;
    try {
      if (config.createTable) {
        const create = createTableSql(this.target, config.columns as PostgresColumnSpec[], config.keyColumns);
        await this.idempotentDdl(`CREATE SCHEMA IF NOT EXISTS ${quote(config.schema)}`);
        await this.idempotentDdl(create);
      }
      const result = await this.pool.query<{ column_name: string; data_type: string; udt_schema: string; udt_name: string }>(
        'SELECT column_name, data_type, udt_schema, udt_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
        [config.schema, config.table],
      );
      if (result.rows.length === 0) {
        throw new AppError('VALIDATION', `table ${config.schema}.${config.table} does not exist (set createTable: true with typed columns to create it)`, { field: 'table' });
      }
      const table = new Map<string, ColumnInfo>();
      for (const row of result.rows) {
        const array = row.data_type === 'ARRAY';
        const element = !array && isIdentifier(row.udt_schema) && isIdentifier(row.udt_name) ? qualified(row.udt_schema, row.udt_name) : undefined;
        table.set(row.column_name, { name: row.column_name, json: row.udt_name === 'json' || row.udt_name === 'jsonb', array, ...(element ? { element } : {}) });
      }
      for (const key of config.keyColumns) {
        if (!table.has(key)) throw new AppError('VALIDATION', `keyColumns names ${key}, which ${config.schema}.${config.table} does not have`, { field: 'keyColumns' });
      }
      for (const column of config.columns ?? []) {
        const name = columnName(column);
        if (!table.has(name)) throw new AppError('VALIDATION', `columns names ${name}, which ${config.schema}.${config.table} does not have`, { field: 'columns' });
      }
      return table;
    } catch (err) {
      throw postgresError(err, what);
    }
  }

  /** Two workers creating the same table at once: the loser's "already exists" is success. */
  private async idempotentDdl(sql: string): Promise<void> {
    try {
      await this.pool.query(sql);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== '23505' && code !== '42P07' && code !== '42P06') throw err;
    }
  }

  /** The last item of a key wins: one statement may not touch a row twice. */
  private dedupe(batch: Item[]): Item[] {
    const keys = this.config.keyColumns;
    const byKey = keys.length === 1 ? byPlainKey(batch, keys[0]!) : undefined;
    if (byKey) return byKey.size === batch.length ? batch : [...byKey.values()];
    const byJson = new Map<string, Item>();
    batch.forEach((item, index) => {
      const key = keys.map((k) => {
        const value = item[k];
        if (value === null || value === undefined) throw missingKey(k, index);
        return value;
      });
      byJson.set(JSON.stringify(key), item);
    });
    return byJson.size === batch.length ? batch : [...byJson.values()];
  }

  /** The written columns in table order (a stable statement text for items whose fields come in any order). */
  private columnsOf(rows: Item[], table: Map<string, ColumnInfo>): ColumnInfo[] {
    const allowed = this.config.columns ? new Set(this.config.columns.map(columnName)) : undefined;
    const present = new Set<string>();
    for (const row of rows) for (const field of Object.keys(row)) present.add(field);
    for (const field of present) {
      if ((!table.has(field) || (allowed && !allowed.has(field))) && !this.warnedFields.has(field) && this.warnedFields.size < 100) {
        this.warnedFields.add(field);
        this.logger.debug({ table: `${this.config.schema}.${this.config.table}`, field }, 'item field is not a written column; ignored');
      }
    }
    const keys = this.config.keyColumns;
    return [...table.values()].filter((c) => present.has(c.name) && (!allowed || allowed.has(c.name) || keys.includes(c.name)));
  }
}

function missingKey(column: string, index: number): AppError {
  return new AppError('VALIDATION', `item ${index} of the batch has no value for key column ${column}`, { field: column, index });
}

/**
 * Items by a single key column without a JSON text per item, when every key is
 * a string or a finite number: keyed by the value itself, which tells the same
 * keys apart as their JSON would (1 and "1" differ, 0 and -0 do not).
 * undefined when a key is of another kind (the JSON way decides then).
 */
function byPlainKey(batch: Item[], column: string): Map<string | number, Item> | undefined {
  const byKey = new Map<string | number, Item>();
  for (let index = 0; index < batch.length; index++) {
    const item = batch[index]!;
    const value = item[column];
    if (value === null || value === undefined) throw missingKey(column, index);
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) return undefined;
    byKey.set(value, item);
  }
  return byKey;
}

/** The parameters of rows [start, end) in one flat array, row by row in column order. */
function parameters(rows: Item[], start: number, end: number, columns: ColumnInfo[]): unknown[] {
  const values = new Array<unknown>((end - start) * columns.length);
  let p = 0;
  for (let r = start; r < end; r++) {
    const row = rows[r]!;
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c]!;
      values[p++] = toParameter(row[column.name], column);
    }
  }
  return values;
}

/**
 * The values of rows [start, end), one PostgreSQL array literal per column
 * (`{"a","b\\"c",NULL,12}`), which the server reads as the element type:
 * strings quoted and escaped, numbers and booleans as pg would send them.
 * undefined when a value is anything else (a Date, a Buffer: pg's own
 * encoding of those is kept by sending a parameter per value).
 */
function columnArrays(rows: Item[], start: number, end: number, columns: ColumnInfo[]): string[] | undefined {
  const arrays = new Array<string>(columns.length);
  for (let c = 0; c < columns.length; c++) {
    const column = columns[c]!;
    let text = '{';
    for (let r = start; r < end; r++) {
      const value = toParameter(rows[r]![column.name], column);
      if (r > start) text += ',';
      if (value === null) text += 'NULL';
      else if (typeof value === 'string') text += arrayElement(value);
      else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') text += String(value);
      else return undefined;
    }
    arrays[c] = `${text}}`;
  }
  return arrays;
}

/** A string as a quoted array element: backslash and double quote escaped, everything else as it is. */
function arrayElement(value: string): string {
  return value.includes('"') || value.includes('\\') ? `"${value.replace(/["\\]/g, '\\$&')}"` : `"${value}"`;
}

function toParameter(value: unknown, column: ColumnInfo): unknown {
  if (value === undefined || value === null) return null;
  if (column.json) return JSON.stringify(value);
  if (typeof value !== 'object') return value; // the common case: a string, number or boolean goes as it is
  if (value instanceof Date || Buffer.isBuffer(value) || (column.array && Array.isArray(value))) return value;
  return JSON.stringify(value);
}

function statementName(text: string): string {
  return `aw_upsert_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
}
