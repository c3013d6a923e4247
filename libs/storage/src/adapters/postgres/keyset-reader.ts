import type { Logger } from '@autoweave/observability';
import type pg from 'pg';
import { AppError } from '@autoweave/contracts';
import type { CursorOptions, CursorPosition, Item, SourceBatch, SourceCursor } from '../../types.js';
import { inTransaction } from './connection.js';
import { postgresError } from './errors.js';
import { qualified, quote } from './identifiers.js';
import { columnName, readMode, sqlText, type PostgresConfig } from './postgres.config.js';

/** Prefix of the extra fields carrying order columns that a column selection leaves out; not part of items. */
const ORDER_ALIAS = '__aw_order_';

/**
 * Where a read stands, as JSON that round-trips exactly: the order columns'
 * values as text (a timestamptz keeps its microseconds, a bigint all its
 * digits: see the type parsers in connection.ts), handed back as parameters
 * that PostgreSQL types from the compared columns.
 *   incremental: {cursor, keys}   full refresh (mid-run): {keys}
 */
export interface KeysetPosition {
  cursor?: string;
  keys: string[];
}

/** The SELECT a source runs, built once per cursor; only the position parameters change between batches. */
export interface ReadPlan {
  incremental: boolean;
  /** The cursor column (incremental) then the key columns: the ORDER BY and the row compared with the position. */
  orderColumns: string[];
  /** Where each order column's value is in a row: its own field when selected, else an extra aliased one. */
  orderFields: string[];
  /** With extra order fields: the selected columns an item keeps (the extras are left out); else undefined (rows are items as read). */
  itemFields?: string[];
  readOnly: boolean;
  first: string;
  after: string;
  /** The rows the read has not reached: counted from the start, or after a position (the same parameters as `after`). */
  countFirst: string;
  countAfter: string;
}

export function readPlan(config: PostgresConfig, batchSize: number): ReadPlan {
  const incremental = readMode(config) === 'incremental';
  const orderColumns = [...(incremental ? [config.cursorColumn!] : []), ...config.keyColumns];
  const from = config.query !== undefined ? `(${sqlText(config.query)}) AS "__aw_source"` : qualified(config.schema, config.table!);
  const names = config.columns?.map(columnName);
  const selected = names ? names.map(quote).join(', ') : '*';
  // An order column the selection has is read from its own field: no extra column, and rows are items as they come
  // (no copy per row). Only one left out of the selection is read as an extra field, which items then leave out.
  // Not cast to text in SQL: a cast in the select list is computed for every row the sort sees, not only the batch.
  const orderFields = orderColumns.map((c, i) => (!names || names.includes(c) ? c : `${ORDER_ALIAS}${i}`));
  const extras = orderColumns.flatMap((c, i) => (orderFields[i] === c ? [] : [`${quote(c)} AS "${orderFields[i]}"`]));
  const orderBy = orderColumns.map(quote).join(', ');
  // Rows without a cursor value cannot be placed in the order: they are not read in incremental mode.
  const notNull = incremental ? `${quote(config.cursorColumn!)} IS NOT NULL` : 'TRUE';
  const row = `(${orderBy}) > (${orderColumns.map((_, i) => `$${i + 1}`).join(', ')})`;
  const list = [selected, ...extras].join(', ');
  // One row more than a batch tells whether this batch is the last without another query.
  const base = (where: string): string => `SELECT ${list} FROM ${from} WHERE ${where} ORDER BY ${orderBy} LIMIT ${batchSize + 1}`;
  const count = (where: string): string => `SELECT count(*) AS n FROM ${from} WHERE ${where}`;
  return {
    incremental,
    orderColumns,
    orderFields,
    ...(extras.length > 0 ? { itemFields: names } : {}),
    readOnly: config.query !== undefined,
    first: base(notNull),
    after: base(`${notNull} AND ${row}`),
    countFirst: count(notNull),
    countAfter: count(`${notNull} AND ${row}`),
  };
}

/** The stored position, if it fits this read (a changed key or cursor config starts over). */
export function parsePosition(position: CursorPosition | undefined, plan: ReadPlan): KeysetPosition | undefined {
  if (!position) return undefined;
  const keys = position.keys;
  const fits =
    Array.isArray(keys) &&
    keys.length === plan.orderColumns.length - (plan.incremental ? 1 : 0) &&
    keys.every((k) => typeof k === 'string') &&
    (plan.incremental ? typeof position.cursor === 'string' : position.cursor === undefined);
  return fits ? { ...(plan.incremental ? { cursor: position.cursor as string } : {}), keys: keys as string[] } : undefined;
}

/**
 * Keyset pagination: `WHERE (cursor, key...) > (last...) ORDER BY cursor,
 * key... LIMIT n`. Rows that share a cursor value are ordered by the key, so
 * a batch boundary inside a tie neither skips nor repeats a row, and no OFFSET
 * makes later pages slower. Incremental reads end at the newest row and the
 * next run continues after it; a full refresh ends with position null, so the
 * next run reads everything again (a full run that was cut off resumes).
 */
export class KeysetReader implements SourceCursor {
  private closed = false;
  /** Where the read stands: the stored position (if it fits), then the last row handed on. */
  private position: KeysetPosition | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly plan: ReadPlan,
    private readonly options: CursorOptions,
    private readonly logger: Logger,
    private readonly what: string,
  ) {
    this.position = parsePosition(options.position, plan);
  }

  /**
   * Rows after the current position (incremental: after (cursor, key...);
   * full refresh: after the key), by one count over the same WHERE the read
   * uses; asked when a run ends, not per batch. A full refresh that handed on
   * its last row has 0 left, though its next run reads everything again.
   */
  async lag(): Promise<number> {
    const { position } = this;
    const rows = await this.query(position ? this.plan.countAfter : this.plan.countFirst, position);
    return Number(rows[0]?.n ?? 0);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SourceBatch> {
    const { plan, options } = this;
    if (options.position && !this.position) this.logger.warn({ source: this.what }, 'stored position does not fit the source config; reading from the start');
    const resumedFull = !plan.incremental && this.position !== undefined;
    let yielded = false;
    while (!this.closed) {
      options.signal?.throwIfAborted();
      const rows = await this.query(this.position ? plan.after : plan.first, this.position);
      const more = rows.length > options.batchSize;
      const page = more ? rows.slice(0, options.batchSize) : rows;
      if (page.length === 0) {
        // A full refresh resumed after its last row: nothing left, so the next run starts over.
        if (resumedFull && !yielded) yield { items: [], position: null };
        return;
      }
      const last = this.positionOf(page[page.length - 1]!);
      this.position = last;
      const fields = plan.itemFields;
      const items = fields ? page.map((row) => pick(row, fields)) : (page as Item[]);
      yielded = true;
      yield { items, position: !more && !plan.incremental ? null : (last as unknown as CursorPosition) };
      if (!more) return;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Runs `text` with the position's values as parameters (none without a position). */
  private async query(text: string, position: KeysetPosition | undefined): Promise<Record<string, unknown>[]> {
    const values = position ? [...(position.cursor !== undefined ? [position.cursor] : []), ...position.keys] : [];
    try {
      if (!this.plan.readOnly) return (await this.pool.query({ text, values })).rows as Record<string, unknown>[];
      // A configured query runs in a read-only transaction: whatever it calls cannot write.
      return await inTransaction(this.pool, 'BEGIN READ ONLY', async (client) => (await client.query({ text, values })).rows as Record<string, unknown>[]);
    } catch (err) {
      throw postgresError(err, `reading ${this.what}`);
    }
  }

  private positionOf(row: Record<string, unknown>): KeysetPosition {
    const { orderColumns, orderFields } = this.plan;
    const values = orderColumns.map((column, i) => positionText(row[orderFields[i]!], column, this.what));
    return this.plan.incremental ? { cursor: values[0]!, keys: values.slice(1) } : { keys: values };
  }
}

/** The row without the extra order fields: the selected columns (a selection never names a column twice). */
function pick(row: Record<string, unknown>, fields: string[]): Item {
  const item: Item = {};
  for (const field of fields) item[field] = row[field];
  return item;
}

/**
 * An order column's value as the text that PostgreSQL reads back as the same
 * value. Strings are already exact (timestamps keep microseconds, bigint and
 * numeric their digits); JS prints a float the shortest exact way, as
 * PostgreSQL does.
 */
export function positionText(value: unknown, column: string, what: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) {
    throw new AppError('VALIDATION', `${what}: a row has NULL in key column ${column}; keyColumns must never be NULL`, { field: 'keyColumns' });
  }
  throw new AppError('VALIDATION', `${what}: column ${column} is of a type that cannot order a read (use a number, text, uuid, date or timestamp column)`, {
    field: 'keyColumns',
  });
}
