import { describe, expect, it } from '@jest/globals';
import { AppError, type DatabaseConfigDto } from '@autoweave/contracts';
import { registerBuiltins, StorageAdapterFactory } from '@autoweave/storage';
import { registerIntegrationComponents } from '../indexing/components.js';
import { validateStages } from '../pipelines/pipeline-validation.js';
import { rowKey, rowText } from './row-document.js';
import { pascalCase, slug, syncPipeline, syncPipelineName, type SyncBuildInput } from './sync-pipelines.js';
import { tablesFromRows, type TableInfo } from './table-introspection.js';

const ID = '3d0f2c55-5b8e-4f0e-8a0e-8b1f6f0f4e11';
const DB = 'postgres://sync:pw-secret@127.0.0.1:5432/shop';
const LEXICAL = { type: 'lexical', dimensions: 384 };

const customers: TableInfo = {
  schema: 'public',
  table: 'customers',
  columns: [
    { name: 'id', type: 'bigint', nullable: false },
    { name: 'email', type: 'character varying(200)', nullable: false },
    { name: 'balance', type: 'numeric(12,2)', nullable: true },
    { name: 'updated_at', type: 'timestamp with time zone', nullable: false },
  ],
  primaryKey: ['id'],
};
const tags: TableInfo = {
  schema: 'app',
  table: 'order_tags',
  columns: [
    { name: 'order_id', type: 'bigint', nullable: false },
    { name: 'tag', type: 'text', nullable: false },
  ],
  primaryKey: ['order_id', 'tag'],
};

function input(config: Partial<DatabaseConfigDto>, table: TableInfo = customers, tableCount = 1): SyncBuildInput {
  return {
    integration: { id: ID, name: 'Shop DB' },
    config: { dbType: 'postgres', connectionString: DB, syncEnabled: true, ...config } as DatabaseConfigDto,
    table,
    tableCount,
    embedder: LEXICAL,
    secretKey: 'k',
  };
}

function failure(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a VALIDATION error');
}

/** The worker's registry: built-ins plus the sync components; stages are checked the way registering the pipeline checks them. */
const factory = registerIntegrationComponents(registerBuiltins(new StorageAdapterFactory()));

describe('database sync - one pipeline per table', () => {
  it('reads a table incrementally by updated_at with its primary key, and copies it to postgres under a prefix', () => {
    const def = syncPipeline(input({ syncDestination: 'postgres', syncDestinationConfig: { tablePrefix: 'copy_' }, syncSchedule: '*/5 * * * *' }));
    expect(def.name).toBe(`sync ${ID} public.customers`);
    expect(def.source).toEqual({ type: 'postgres', config: { connectionString: DB, schema: 'public', table: 'customers', keyColumns: ['id'], cursorColumn: 'updated_at' } });
    expect(def.processors).toEqual([]);
    expect(def.destination).toEqual({
      type: 'postgres',
      config: {
        connectionString: DB,
        schema: 'public',
        table: 'copy_customers',
        keyColumns: ['id'],
        createTable: true,
        columns: [
          { name: 'id', type: 'bigint', nullable: false },
          { name: 'email', type: 'character varying(200)', nullable: false },
          { name: 'balance', type: 'numeric(12,2)', nullable: true },
          { name: 'updated_at', type: 'timestamp with time zone', nullable: false },
        ],
      },
    });
    expect(def.schedule).toEqual({ type: 'cron', cron: '*/5 * * * *', timezone: 'UTC' });
    expect(def.metadata).toMatchObject({ managedBy: 'pipeline-worker', kind: 'database-sync', integrationId: ID, table: 'public.customers' });
    expect(() => validateStages(factory, def)).not.toThrow();
  });

  it('takes key and cursor columns from tableOptions, and reads a table without a cursor column in full', () => {
    const options = { tableOptions: [{ table: 'public.customers', keyColumns: ['email'], cursorColumn: 'balance' }] };
    expect(syncPipeline(input({ syncDestination: 'vector', ...options })).source.config).toMatchObject({ keyColumns: ['email'], cursorColumn: 'balance' });
    expect(syncPipeline(input({ syncDestination: 'vector', tableOptions: [{ table: 'customers', mode: 'full' }] })).source.config).toMatchObject({ keyColumns: ['id'], mode: 'full' });
    const full = syncPipeline(input({ syncDestination: 'vector' }, tags));
    expect(full.source.config).toEqual({ connectionString: DB, schema: 'app', table: 'order_tags', keyColumns: ['order_id', 'tag'], mode: 'full' });
  });

  it('embeds rows for a vector store: a key field, a text of the columns, its vector, one collection per table', () => {
    const def = syncPipeline(input({ syncDestination: 'vector', syncDestinationConfig: { textColumns: ['email'] } }));
    expect(def.processors).toEqual([
      { type: 'row-document', config: { keyColumns: ['id'], keyField: '_key', textField: '_text', textColumns: ['email'] } },
      { type: 'embed', config: { field: '_text', target: '_vector', embedder: LEXICAL } },
    ]);
    expect(def.destination).toEqual({ type: 'vector', config: { collection: 'shop_db_customers', keyField: '_key', vectorField: '_vector' } });
    expect(syncPipeline(input({ syncDestination: 'vector', syncDestinationConfig: { collectionPrefix: 'crm' } }, tags)).destination.config.collection).toBe('crm_app_order_tags');
    const qdrant = syncPipeline(input({ syncDestination: 'qdrant', syncDestinationConfig: { url: 'http://qdrant:6333', apiKey: 'q-key', embedder: { type: 'lexical', dimensions: 64 } } }));
    expect(qdrant.destination).toEqual({ type: 'qdrant', config: { collection: 'shop_db_customers', url: 'http://qdrant:6333', apiKey: 'q-key', keyField: '_key', vectorField: '_vector' } });
    expect(qdrant.processors[1]!.config.embedder).toEqual({ type: 'lexical', dimensions: 64 });
    expect(() => validateStages(factory, def)).not.toThrow();
    expect(() => validateStages(factory, qdrant)).not.toThrow();
  });

  it('writes rows as nodes for neo4j and memgraph, merged on the key column (or the joined key of a composite one)', () => {
    const graph = { url: 'bolt://neo4j:7687', username: 'neo4j', password: 'pw' };
    const def = syncPipeline(input({ syncDestination: 'neo4j', syncDestinationConfig: graph }));
    expect(def.processors).toEqual([{ type: 'row-document', config: { keyColumns: ['id'], keyField: '_key' } }]);
    expect(def.destination).toEqual({ type: 'neo4j', config: { ...graph, nodes: { label: 'Customers', keyField: '_key', keyProperty: 'id' } } });
    const composite = syncPipeline(input({ syncDestination: 'memgraph', syncDestinationConfig: { ...graph, labels: { 'app.order_tags': 'OrderTag' } } }, tags));
    expect(composite.destination.config.nodes).toEqual({ label: 'OrderTag', keyField: '_key', keyProperty: '_key' });
    expect(() => validateStages(factory, def)).not.toThrow();
    expect(() => validateStages(factory, composite)).not.toThrow();
  });

  it('publishes rows to a subject per table for nats', () => {
    const def = syncPipeline(input({ syncDestination: 'nats', syncDestinationConfig: { subject: 'events.db.shop' } }));
    expect(def.destination).toEqual({ type: 'nats', config: { subject: 'events.db.shop.customers', keyFields: ['id'] } });
  });

  it.each([
    ['a table without a primary key and no keyColumns', input({ syncDestination: 'vector' }, { ...tags, primaryKey: [] }), 'config.tableOptions'],
    ['a key column the table lacks', input({ syncDestination: 'vector', tableOptions: [{ table: 'customers', keyColumns: ['nope'] }] }), 'config.tableOptions'],
    ['a cursor column the table lacks', input({ syncDestination: 'vector', tableOptions: [{ table: 'customers', cursorColumn: 'nope' }] }), 'config.tableOptions'],
    ['incremental without any cursor column', input({ syncDestination: 'vector', tableOptions: [{ table: 'app.order_tags', mode: 'incremental' }] }, tags), 'config.tableOptions'],
    ['a column name that cannot be quoted safely', input({ syncDestination: 'vector' }, { ...customers, columns: [...customers.columns, { name: 'x"; drop table y; --', type: 'text', nullable: true }] }), 'config.tables'],
    ['a table synced onto itself', input({ syncDestination: 'postgres' }), 'config.syncDestinationConfig'],
    ['one target table for several tables', input({ syncDestination: 'postgres', syncDestinationConfig: { table: 'all_rows' } }, customers, 2), 'config.syncDestinationConfig.table'],
    ['nats without a subject', input({ syncDestination: 'nats' }), 'config.syncDestinationConfig.subject'],
    ['no destination', input({}), 'config.syncDestination'],
  ])('refuses %s with VALIDATION naming the field', (_what, given, field) => {
    const err = failure(() => syncPipeline(given));
    expect(err.code).toBe('VALIDATION');
    expect((err.details as { field: string }).field).toBe(field);
  });

  it('leaves the destination config to the adapter schema, which names the field', () => {
    const def = syncPipeline(input({ syncDestination: 'qdrant', syncDestinationConfig: { url: 'not a url' } }));
    expect(() => validateStages(factory, def)).toThrow(/destination\.config\.url/);
    const neo = syncPipeline(input({ syncDestination: 'neo4j', syncDestinationConfig: { url: 'bolt://user:pw@neo4j:7687', username: 'neo4j', password: 'x' } }));
    expect(() => validateStages(factory, neo)).toThrow(/destination\.config\.url/);
  });

  it('changes the fingerprint exactly when the definition changes', () => {
    const a = syncPipeline(input({ syncDestination: 'vector' })).metadata.fingerprint;
    expect(syncPipeline(input({ syncDestination: 'vector' })).metadata.fingerprint).toBe(a);
    expect(syncPipeline(input({ syncDestination: 'vector', syncSchedule: '0 * * * *' })).metadata.fingerprint).not.toBe(a);
    expect(syncPipeline(input({ syncDestination: 'vector', connectionString: DB.replace('pw-secret', 'pw-rotated') })).metadata.fingerprint).not.toBe(a);
    expect(a).not.toContain('pw-secret');
  });

  it('names pipelines within the 100 characters a pipeline name may have', () => {
    const long = `app.${'t'.repeat(63)}`;
    expect(syncPipelineName(ID, long).length).toBeLessThanOrEqual(100);
    expect(syncPipelineName(ID, long)).not.toBe(syncPipelineName(ID, `app.${'t'.repeat(62)}u`));
    expect(slug('@acme/Shop DB')).toBe('acme_shop_db');
    expect(pascalCase('order_items')).toBe('OrderItems');
    expect(pascalCase('2024_sales')).toBe('T2024Sales');
  });
});

describe('database sync - introspection and row documents', () => {
  it('groups catalogue rows into tables: columns in table order, the key in key order', () => {
    const row = (table: string, column: string, position: number, key = 0, type = 'text') => ({ table_schema: 'public', table_name: table, column_name: column, position, column_type: type, nullable: key === 0, key_position: key });
    expect(tablesFromRows([row('b', 'z', 3), row('b', 'y', 1, 2), row('b', 'x', 2, 1, 'bigint'), row('a', 'id', 1, 1)])).toEqual([
      { schema: 'public', table: 'a', columns: [{ name: 'id', type: 'text', nullable: false }], primaryKey: ['id'] },
      {
        schema: 'public',
        table: 'b',
        columns: [
          { name: 'y', type: 'text', nullable: false },
          { name: 'x', type: 'bigint', nullable: false },
          { name: 'z', type: 'text', nullable: true },
        ],
        primaryKey: ['x', 'y'],
      },
    ]);
  });

  it('keys a row by its key column, a composite key as a JSON array, and fails a row without one', () => {
    expect(rowKey({ id: 7 }, ['id'])).toBe('7');
    expect(rowKey({ order_id: '12', tag: 'a:b' }, ['order_id', 'tag'])).toBe('["12","a:b"]');
    expect(() => rowKey({ id: null }, ['id'])).toThrow(/key column id/);
  });

  it('makes a text of the non-key columns with values, or of the chosen ones', () => {
    const row = { id: 1, email: 'ann@example.com', balance: '12.50', note: null, vip: true, meta: { a: 1 }, _key: '1' };
    expect(rowText(row, { keyColumns: ['id'] })).toBe('email: ann@example.com\nbalance: 12.50\nvip: true');
    expect(rowText(row, { keyColumns: ['id'], textColumns: ['email'] })).toBe('email: ann@example.com');
    expect(rowText({ id: 5, note: null }, { keyColumns: ['id'] })).toBe('id: 5');
  });
});
