import { createHash } from 'node:crypto';
import { AppError, type DatabaseConfigDto, type SyncDestination, type TableSyncOptionsDto } from '@autoweave/contracts';
import { secretFingerprint } from '../indexing/fingerprint.js';
import { MANAGED_KINDS, type ManagedDefinition } from '../indexing/managed-pipelines.js';
import { ROW_DOCUMENT_PROCESSOR } from './row-document.js';
import { qualifiedName, type TableInfo } from './table-introspection.js';

/** What one table's sync pipeline is built from. */
export interface SyncBuildInput {
  integration: { id: string; name: string };
  /** The integration's config with secrets in clear. */
  config: DatabaseConfigDto;
  table: TableInfo;
  /** How many tables the integration syncs: fields naming one target (table, collection, nodes) need exactly one. */
  tableCount: number;
  /** The worker's embedder (AUTOWEAVE_EMBEDDER), for vector destinations that name none. */
  embedder: Record<string, unknown>;
  secretKey: string;
}

type Stage = { type: string; config: Record<string, unknown> };

/** Bumped when the shape of the definitions below changes, so existing sync pipelines are rebuilt. */
const DEFINITION_VERSION = 1;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** Fields the sync pipelines add to rows for vector and graph stores (not columns: they start with `_`). */
export const ROW_FIELDS = { key: '_key', text: '_text', vector: '_vector' } as const;
const DEFAULT_CURSOR_COLUMN = 'updated_at';

export function syncPipelineName(integrationId: string, table: string): string {
  const name = `sync ${integrationId} ${table}`;
  if (name.length <= 100) return name;
  return `sync ${integrationId} ${table.slice(0, 40)} ${createHash('sha256').update(table).digest('hex').slice(0, 12)}`;
}

/**
 * The sync pipeline of one table of a database integration:
 *
 *   postgres source {table, keyColumns (primary key unless configured), cursorColumn or full refresh}
 *   -> processors the destination needs (a key field, a text and its embedding for vector stores)
 *   -> syncDestination {the worker's per-table defaults, then syncDestinationConfig}
 *
 * on the integration's `syncSchedule` (cron, UTC), else manual. The result
 * goes through the pipeline registry, which checks every stage config
 * against its adapter's schema. Throws VALIDATION naming the field for what
 * can be told here.
 */
export function syncPipeline(input: SyncBuildInput): ManagedDefinition {
  const { integration, config, table } = input;
  const qualified = `${table.schema}.${table.table}`;
  const options = config.tableOptions?.find((o) => sameTable(o.table, table));
  const keyColumns = keyColumnsOf(table, options);
  const source: Stage = {
    type: 'postgres',
    config: { connectionString: config.connectionString, schema: table.schema, table: table.table, keyColumns, ...readModeOf(table, options) },
  };
  const { processors, destination } = destinationStages(input, keyColumns);
  const schedule = config.syncSchedule ? { type: 'cron', cron: config.syncSchedule, timezone: 'UTC' } : { type: 'manual' };
  const definition = { source, processors, destination, schedule };
  return {
    name: syncPipelineName(integration.id, qualified),
    description: `Sync of ${qualified} of the database integration ${integration.name} to ${config.syncDestination}`,
    ...definition,
    metadata: {
      managedBy: 'pipeline-worker',
      kind: MANAGED_KINDS.databaseSync,
      integrationId: integration.id,
      table: qualified,
      fingerprint: secretFingerprint(input.secretKey, { version: DEFINITION_VERSION, ...definition }),
    },
  };
}

function keyColumnsOf(table: TableInfo, options: TableSyncOptionsDto | undefined): string[] {
  const qualified = `${table.schema}.${table.table}`;
  const names = table.columns.map((c) => c.name);
  const odd = names.find((n) => !IDENTIFIER.test(n));
  if (odd !== undefined) {
    throw new AppError('VALIDATION', `${qualified}: column "${odd}" cannot be synced (column names must match ${IDENTIFIER.source})`, { field: 'config.tables' });
  }
  const keys = options?.keyColumns ?? table.primaryKey;
  if (keys.length === 0) {
    throw new AppError('VALIDATION', `${qualified} has no primary key: give its key columns in config.tableOptions[].keyColumns`, { field: 'config.tableOptions' });
  }
  const missing = keys.find((k) => !names.includes(k));
  if (missing) throw new AppError('VALIDATION', `${qualified} has no column ${missing} (config.tableOptions[].keyColumns)`, { field: 'config.tableOptions' });
  return keys;
}

/** Incremental by the configured cursor column, else by `updated_at` when the table has one; else a full refresh each run. */
function readModeOf(table: TableInfo, options: TableSyncOptionsDto | undefined): Record<string, unknown> {
  const qualified = `${table.schema}.${table.table}`;
  const has = (name: string): boolean => table.columns.some((c) => c.name === name);
  if (options?.mode === 'full') return { mode: 'full' };
  if (options?.cursorColumn !== undefined) {
    if (!has(options.cursorColumn)) throw new AppError('VALIDATION', `${qualified} has no column ${options.cursorColumn} (config.tableOptions[].cursorColumn)`, { field: 'config.tableOptions' });
    return { cursorColumn: options.cursorColumn };
  }
  if (has(DEFAULT_CURSOR_COLUMN)) return { cursorColumn: DEFAULT_CURSOR_COLUMN };
  if (options?.mode === 'incremental') {
    throw new AppError('VALIDATION', `${qualified}: incremental sync needs a cursor column (config.tableOptions[].cursorColumn)`, { field: 'config.tableOptions' });
  }
  return { mode: 'full' };
}

function destinationStages(input: SyncBuildInput, keyColumns: string[]): { processors: Stage[]; destination: Stage } {
  const { config, table } = input;
  const destination = config.syncDestination as SyncDestination | undefined;
  const dc = { ...(config.syncDestinationConfig ?? {}) };
  const single = (field: string): void => {
    if (dc[field] !== undefined && input.tableCount > 1) {
      throw new AppError('VALIDATION', `config.syncDestinationConfig.${field} names one target, but ${input.tableCount} tables are synced`, {
        field: `config.syncDestinationConfig.${field}`,
      });
    }
  };
  switch (destination) {
    case 'postgres': {
      single('table');
      const { tablePrefix = '', ...rest } = dc;
      const target: Record<string, unknown> = {
        connectionString: config.connectionString,
        schema: table.schema,
        table: `${String(tablePrefix)}${table.table}`,
        keyColumns,
        createTable: true,
        columns: table.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
        ...rest,
      };
      if (target.connectionString === config.connectionString && target.schema === table.schema && target.table === table.table) {
        throw new AppError('VALIDATION', `${table.schema}.${table.table} would be synced onto itself: give config.syncDestinationConfig.tablePrefix, schema or connectionString`, {
          field: 'config.syncDestinationConfig',
        });
      }
      return { processors: [], destination: { type: 'postgres', config: target } };
    }
    case 'vector':
    case 'qdrant': {
      single('collection');
      const { collectionPrefix, textColumns, embedder, ...rest } = dc;
      const prefix = typeof collectionPrefix === 'string' ? collectionPrefix : slug(input.integration.name);
      return {
        processors: [
          { type: ROW_DOCUMENT_PROCESSOR, config: { keyColumns, keyField: ROW_FIELDS.key, textField: ROW_FIELDS.text, ...(textColumns === undefined ? {} : { textColumns }) } },
          { type: 'embed', config: { field: ROW_FIELDS.text, target: ROW_FIELDS.vector, embedder: embedder ?? input.embedder } },
        ],
        destination: {
          type: destination,
          config: { collection: `${prefix}_${table.schema === 'public' ? '' : `${table.schema}_`}${table.table}`, ...rest, keyField: ROW_FIELDS.key, vectorField: ROW_FIELDS.vector },
        },
      };
    }
    case 'neo4j':
    case 'memgraph': {
      single('nodes');
      const { labels, ...rest } = dc;
      const named = typeof labels === 'object' && labels !== null ? (labels as Record<string, unknown>) : {};
      const label = named[`${table.schema}.${table.table}`] ?? named[table.table] ?? pascalCase(table.table);
      return {
        processors: [{ type: ROW_DOCUMENT_PROCESSOR, config: { keyColumns, keyField: ROW_FIELDS.key } }],
        destination: {
          type: 'neo4j',
          config: { nodes: { label, keyField: ROW_FIELDS.key, keyProperty: keyColumns.length === 1 ? keyColumns[0] : ROW_FIELDS.key }, ...rest },
        },
      };
    }
    case 'nats': {
      const { subject, ...rest } = dc;
      if (typeof subject !== 'string') {
        throw new AppError('VALIDATION', 'config.syncDestinationConfig.subject is required for nats: the subject rows are published under (e.g. events.db.shop)', {
          field: 'config.syncDestinationConfig.subject',
        });
      }
      return { processors: [], destination: { type: 'nats', config: { ...rest, subject: `${subject}.${table.table}`, keyFields: keyColumns } } };
    }
    default:
      throw new AppError('VALIDATION', `config.syncDestination must be set to sync (one of vector, qdrant, neo4j, memgraph, postgres, nats)`, { field: 'config.syncDestination' });
  }
}

/** Whether a `tables`/`tableOptions` entry (`users`, `public.users`) names this table. */
export function sameTable(name: string, table: Pick<TableInfo, 'schema' | 'table'>): boolean {
  const q = qualifiedName(name);
  return q.schema === table.schema && q.table === table.table;
}

/** A collection-name-safe form of an integration name: `Shop DB` -> `shop_db`. */
export function slug(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9_.-]+/g, '_').replace(/^[^a-z0-9]+/, '').slice(0, 100);
  return s || 'db';
}

/** `order_items` -> `OrderItems` (a node label). */
export function pascalCase(name: string): string {
  const label = name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
  return /^[A-Za-z_]/.test(label) ? label : `T${label}`;
}
