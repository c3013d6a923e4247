import { createHash } from 'node:crypto';
import { AppError } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import type pg from 'pg';
import type { Item } from '../../types.js';
import { postgresError } from './errors.js';
import { checkColumnType, qualified, quote } from './identifiers.js';
import { columnName, type PostgresColumnSpec, type PostgresConfig } from './postgres.config.js';

/** PostgreSQL's limit on parameters of one statement. */
export const MAX_PARAMETERS = 65_535;
/** Statement texts a writer prepares (see preparedName). */
const MAX_PREPARED = 4;

interface ColumnInfo {
  name: string;
  /** json/jsonb: values are sent as JSON text. */
  json: boolean;
  /** An array type: JS arrays go as PostgreSQL arrays. */
  array: boolean;
}

/** One multi-row upsert statement over the given columns for `rows` rows. */
export function upsertSql(target: string, columns: string[], keyColumns: string[], rows: number): string {
  const names = columns.map(quote).join(', ');
  const tuples: string[] = [];
  for (let r = 0, p = 1; r < rows; r++) {
    const placeholders: string[] = [];
    for (let c = 0; c < columns.length; c++) placeholders.push(`$${p++}`);
    tuples.push(`(${placeholders.join(', ')})`);
  }
  const updated = columns.filter((c) => !keyColumns.includes(c));
  const action = updated.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${updated.map((c) => `${quote(c)} = EXCLUDED.${quote(c)}`).join(', ')}`;
  return `INSERT INTO ${target} (${names}) VALUES ${tuples.join(', ')} ON CONFLICT (${keyColumns.map(quote).join(', ')}) ${action}`;
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
 * UPDATE`, in multi-row statements under PostgreSQL's parameter limit, all
 * statements of a batch in one transaction. Writing the same batch twice
 * leaves the same rows. Items are matched to columns by field name: fields
 * that are not columns are ignored, columns that no item of the batch has are
 * left alone, and an item without a field another item of its batch has
 * writes NULL there.
 */
export class UpsertWriter {
  private table?: Promise<Map<string, ColumnInfo>>;
  private readonly target: string;
  private readonly warnedFields = new Set<string>();
  private readonly prepared = new Set<string>();

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
    const statements: Array<{ text: string; values: unknown[]; name?: string }> = [];
    for (let start = 0; start < rows.length; start += perStatement) {
      const chunk = rows.slice(start, start + perStatement);
      const text = upsertSql(this.target, columns.map((c) => c.name), this.config.keyColumns, chunk.length);
      const values: unknown[] = [];
      for (const row of chunk) for (const column of columns) values.push(toParameter(row[column.name], column));
      statements.push({ text, values, ...this.preparedName(text) });
    }
    await this.run(statements);
    return rows.length;
  }

  /**
   * The same statement text comes back batch after batch (same columns, same
   * batch size): prepared once per connection it is parsed and planned once.
   * Only the first few texts of a writer are prepared, so odd sizes (the last
   * batch of a run) do not pile up in the server's memory.
   */
  private preparedName(text: string): { name?: string } {
    const name = statementName(text);
    if (this.prepared.has(name)) return { name };
    if (this.prepared.size >= MAX_PREPARED) return {};
    this.prepared.add(name);
    return { name };
  }

  private async run(statements: Array<{ text: string; values: unknown[]; name?: string }>): Promise<void> {
    try {
      if (statements.length === 1) {
        await this.pool.query(statements[0]!); // one statement is atomic on its own
        return;
      }
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        for (const statement of statements) await client.query(statement);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw err;
      } finally {
        client.release(broken);
      }
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
      const result = await this.pool.query<{ column_name: string; data_type: string; udt_name: string }>(
        'SELECT column_name, data_type, udt_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
        [config.schema, config.table],
      );
      if (result.rows.length === 0) {
        throw new AppError('VALIDATION', `table ${config.schema}.${config.table} does not exist (set createTable: true with typed columns to create it)`, { field: 'table' });
      }
      const table = new Map<string, ColumnInfo>();
      for (const row of result.rows) {
        table.set(row.column_name, { name: row.column_name, json: row.udt_name === 'json' || row.udt_name === 'jsonb', array: row.data_type === 'ARRAY' });
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
    const byKey = new Map<string, Item>();
    batch.forEach((item, index) => {
      const key = keys.map((k) => {
        const value = item[k];
        if (value === null || value === undefined) {
          throw new AppError('VALIDATION', `item ${index} of the batch has no value for key column ${k}`, { field: k, index });
        }
        return value;
      });
      byKey.set(JSON.stringify(key), item);
    });
    return byKey.size === batch.length ? batch : [...byKey.values()];
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

function toParameter(value: unknown, column: ColumnInfo): unknown {
  if (value === undefined || value === null) return null;
  if (column.json) return JSON.stringify(value);
  if (typeof value === 'object' && !(value instanceof Date) && !(Array.isArray(value) && column.array) && !Buffer.isBuffer(value)) {
    return JSON.stringify(value);
  }
  return value;
}

function statementName(text: string): string {
  return `aw_upsert_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
}
