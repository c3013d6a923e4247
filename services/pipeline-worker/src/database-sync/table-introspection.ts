import type { Item, StorageAdapterFactory, StorageContext } from '@autoweave/storage';

export interface ColumnInfo {
  name: string;
  /** As PostgreSQL writes it (`format_type`): `bigint`, `character varying(40)`, `timestamp with time zone`, `numeric(12,2)`. */
  type: string;
  nullable: boolean;
}

export interface TableInfo {
  schema: string;
  table: string;
  /** In table order. */
  columns: ColumnInfo[];
  /** The primary key's columns in key order; empty when the table has none. */
  primaryKey: string[];
}

/**
 * Every base table the connecting role can see outside the system schemas,
 * one row per column: the primary key from information_schema
 * (table_constraints + key_column_usage), the exact column type from
 * `format_type` (information_schema drops lengths and precisions, which a
 * destination table created from it would need). No parameters and no names
 * from configuration: the statement is constant.
 */
export const INTROSPECTION_QUERY = `
SELECT c.table_schema::text AS table_schema,
       c.table_name::text AS table_name,
       c.column_name::text AS column_name,
       c.ordinal_position::int AS position,
       (SELECT format_type(a.atttypid, a.atttypmod)
          FROM pg_catalog.pg_attribute a
         WHERE a.attrelid = format('%I.%I', c.table_schema, c.table_name)::regclass
           AND a.attname = c.column_name) AS column_type,
       c.is_nullable = 'YES' AS nullable,
       COALESCE((SELECT k.ordinal_position
                   FROM information_schema.table_constraints t
                   JOIN information_schema.key_column_usage k
                     ON k.constraint_schema = t.constraint_schema AND k.constraint_name = t.constraint_name
                    AND k.table_schema = t.table_schema AND k.table_name = t.table_name
                  WHERE t.constraint_type = 'PRIMARY KEY'
                    AND t.table_schema = c.table_schema AND t.table_name = c.table_name
                    AND k.column_name = c.column_name), 0)::int AS key_position
  FROM information_schema.columns c
  JOIN information_schema.tables tb
    ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name AND tb.table_type = 'BASE TABLE'
 WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema')`;

/**
 * Reads the tables of a database through the storage library's postgres
 * source (the same pools, read-only transaction and password scrubbing as a
 * sync run), with the constant introspection query.
 */
export async function introspectTables(factory: StorageAdapterFactory, storage: StorageContext, connectionString: string): Promise<TableInfo[]> {
  const config = factory.validateAdapterConfig(
    'postgres',
    'source',
    { connectionString, query: INTROSPECTION_QUERY, keyColumns: ['table_schema', 'table_name', 'column_name'], mode: 'full' },
    'introspection',
  );
  const adapter = factory.createAdapter('postgres', storage);
  const rows: Item[] = [];
  try {
    const cursor = await adapter.createCursor!(config, { batchSize: 5000 });
    try {
      for await (const batch of cursor) rows.push(...batch.items);
    } finally {
      await cursor.close();
    }
  } finally {
    await adapter.close();
  }
  return tablesFromRows(rows);
}

/** Groups introspection rows (one per column) into tables, columns in table order and the key in key order. */
export function tablesFromRows(rows: readonly Item[]): TableInfo[] {
  const tables = new Map<string, TableInfo & { positions: number[]; keys: Array<{ name: string; at: number }> }>();
  for (const row of rows) {
    const schema = String(row.table_schema);
    const table = String(row.table_name);
    const id = `${schema}.${table}`;
    let info = tables.get(id);
    if (!info) {
      info = { schema, table, columns: [], primaryKey: [], positions: [], keys: [] };
      tables.set(id, info);
    }
    const name = String(row.column_name);
    const position = Number(row.position);
    const at = info.positions.findIndex((p) => p > position);
    const column: ColumnInfo = { name, type: String(row.column_type), nullable: row.nullable === true };
    if (at < 0) {
      info.columns.push(column);
      info.positions.push(position);
    } else {
      info.columns.splice(at, 0, column);
      info.positions.splice(at, 0, position);
    }
    const keyAt = Number(row.key_position);
    if (keyAt > 0) info.keys.push({ name, at: keyAt });
  }
  return [...tables.values()]
    .map(({ schema, table, columns, keys }) => ({ schema, table, columns, primaryKey: keys.sort((a, b) => a.at - b.at).map((k) => k.name) }))
    .sort((a, b) => `${a.schema}.${a.table}`.localeCompare(`${b.schema}.${b.table}`));
}

/** `users` -> public.users; `app.users` -> app.users. */
export function qualifiedName(name: string): { schema: string; table: string } {
  const dot = name.indexOf('.');
  return dot < 0 ? { schema: 'public', table: name } : { schema: name.slice(0, dot), table: name.slice(dot + 1) };
}
