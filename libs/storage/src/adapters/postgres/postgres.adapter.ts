import type { Logger } from '@autoweave/observability';
import type pg from 'pg';
import type { AdapterDefinition, CursorOptions, HealthResult, Item, SourceCursor, StorageAdapter, StorageContext, WriteResult } from '../../types.js';
import { describeConnection, maskSecrets, postgresPools } from './connection.js';
import { KeysetReader, readPlan } from './keyset-reader.js';
import { checkPostgresConfig, postgresConfigSchema, type PostgresConfig } from './postgres.config.js';
import { UpsertWriter } from './upsert-writer.js';

/**
 * PostgreSQL as a source (a table or a query, incremental by a cursor column
 * with the primary key as tie-breaker, or full refresh) and as a destination
 * (batched idempotent upserts, the table created on demand). Identifiers are
 * validated and quoted, values are always parameters.
 */
export class PostgresAdapter implements StorageAdapter<PostgresConfig> {
  /** Connection strings this instance holds a pool reference for. */
  private readonly held = new Map<string, pg.Pool>();
  private readonly writers = new Map<string, UpsertWriter>();
  private readonly cursors = new Set<SourceCursor>();
  private readonly logger: Logger;

  constructor(context: StorageContext) {
    this.logger = context.logger;
  }

  async createCursor(config: PostgresConfig, options: CursorOptions): Promise<SourceCursor> {
    const resolved = withDefaults(config);
    checkPostgresConfig(resolved, 'source', 'config');
    const what = resolved.table ? `${resolved.schema}.${resolved.table}` : 'the configured query';
    const reader = new KeysetReader(this.pool(resolved), readPlan(resolved, options.batchSize), options, this.logger, what);
    this.cursors.add(reader);
    return reader;
  }

  async writeBatch(batch: Item[], config: PostgresConfig): Promise<WriteResult> {
    const resolved = withDefaults(config);
    const key = JSON.stringify(resolved);
    let writer = this.writers.get(key);
    if (!writer) {
      checkPostgresConfig(resolved, 'destination', 'config');
      writer = new UpsertWriter(this.pool(resolved), resolved, this.logger);
      this.writers.set(key, writer);
    }
    return { written: await writer.write(batch) };
  }

  async healthCheck(config: PostgresConfig): Promise<HealthResult> {
    const started = performance.now();
    try {
      await this.pool(withDefaults(config)).query('SELECT 1');
      return { ok: true, latencyMs: elapsed(started) };
    } catch (err) {
      return { ok: false, latencyMs: elapsed(started), error: `${describeConnection(config.connectionString)}: ${maskSecrets((err as Error).message)}` };
    }
  }

  /** Releases this instance's share of the pools; a pool ends when its last user closes. */
  async close(): Promise<void> {
    await Promise.all([...this.cursors].map((c) => c.close()));
    this.cursors.clear();
    this.writers.clear();
    const held = [...this.held.keys()];
    this.held.clear();
    await Promise.all(held.map((c) => postgresPools.release(c)));
  }

  private pool(config: PostgresConfig): pg.Pool {
    let pool = this.held.get(config.connectionString);
    if (!pool) {
      pool = postgresPools.acquire(config.connectionString, config.poolSize, this.logger);
      this.held.set(config.connectionString, pool);
    }
    return pool;
  }
}

/** Defaults the schema fills, for configs that did not pass through validateAdapterConfig. */
function withDefaults(config: PostgresConfig): PostgresConfig {
  return { ...config, schema: config.schema ?? 'public', createTable: config.createTable ?? false, poolSize: config.poolSize ?? 5 };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

export const postgresAdapter: AdapterDefinition<PostgresConfig> = {
  type: 'postgres',
  description: 'PostgreSQL table or query (incremental by cursor column + key, or full refresh); upsert destination',
  roles: ['source', 'destination'],
  configSchema: postgresConfigSchema,
  validate: checkPostgresConfig,
  adapter: PostgresAdapter,
};
