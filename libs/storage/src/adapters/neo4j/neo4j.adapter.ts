import { AppError } from '@autoweave/contracts';
import neo4j, { type Driver } from 'neo4j-driver';
import type { AdapterDefinition, HealthResult, Item, StorageAdapter, StorageContext, WriteResult } from '../../types.js';
import { batchStatements } from './cypher.js';
import { neo4jConfigSchema, type Neo4jDestinationConfig } from './neo4j.config.js';
import { neo4jError } from './errors.js';

/**
 * Graph destination over Bolt (Neo4j, Memgraph): per batch one write
 * transaction of `UNWIND $rows ... MERGE` statements, nodes then
 * relationships, so re-writing a batch changes nothing.
 */
export class Neo4jDestination implements StorageAdapter<Neo4jDestinationConfig> {
  private driver: Driver | undefined;

  constructor(_context: StorageContext) {}

  async writeBatch(batch: Item[], config: Neo4jDestinationConfig): Promise<WriteResult> {
    if (batch.length === 0) return { written: 0 };
    const driver = this.driverFor(config);
    let written = 0;
    for (let i = 0; i < batch.length; i += config.batchSize) {
      const slice = batch.slice(i, i + config.batchSize);
      // Built before the session opens: a bad item fails the batch without touching the graph.
      const statements = batchStatements(slice, config.nodes, config.relationships);
      const session = driver.session({ database: config.database, defaultAccessMode: neo4j.session.WRITE });
      try {
        await session.executeWrite(
          async (tx) => {
            for (const statement of statements) await tx.run(statement.query, statement.params);
          },
          { timeout: config.timeoutMs },
        );
      } catch (err) {
        throw neo4jError(err, 'write', config.password);
      } finally {
        await session.close();
      }
      written += slice.length;
    }
    return { written };
  }

  async healthCheck(config: Neo4jDestinationConfig): Promise<HealthResult> {
    const started = Date.now();
    try {
      await this.driverFor(config).getServerInfo({ database: config.database });
      return { ok: true, latencyMs: Date.now() - started };
    } catch (err) {
      return { ok: false, latencyMs: Date.now() - started, error: neo4jError(err, 'health check', config.password).message };
    }
  }

  async close(): Promise<void> {
    const driver = this.driver;
    this.driver = undefined;
    await driver?.close();
  }

  private driverFor(config: Neo4jDestinationConfig): Driver {
    if (!this.driver) {
      try {
        this.driver = neo4j.driver(config.url, neo4j.auth.basic(config.username, config.password), {
          connectionTimeout: config.timeoutMs,
          connectionAcquisitionTimeout: config.timeoutMs,
          maxTransactionRetryTime: config.timeoutMs,
          disableLosslessIntegers: true,
        });
      } catch (err) {
        throw new AppError('VALIDATION', `neo4j url: ${neo4jError(err, 'connect', config.password).message}`, { field: 'url' });
      }
    }
    return this.driver;
  }
}

export const neo4jAdapter: Omit<AdapterDefinition<Neo4jDestinationConfig>, 'type'> = {
  description: 'Neo4j or Memgraph over Bolt (destination): nodes and relationships merged by key in batched UNWIND statements',
  roles: ['destination'],
  configSchema: neo4jConfigSchema,
  adapter: Neo4jDestination,
};
