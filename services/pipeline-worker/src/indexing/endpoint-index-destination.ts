import { join } from 'node:path';
import { AppError, ENDPOINTS_COLLECTION, type EndpointPayload } from '@autoweave/contracts';
import {
  EmbeddedVectorStore,
  Neo4jDestination,
  type AdapterDefinition,
  type HealthResult,
  type Item,
  type StorageAdapter,
  type StorageContext,
  type VectorPoint,
  type VectorStore,
  type WriteResult,
} from '@autoweave/storage';
import { endpointGraph } from './endpoint-graph.js';
import { IntegrationRecords } from './integration-records.js';

export const ENDPOINT_INDEX_DESTINATION = 'endpoint-index';

export interface EndpointGraphConfig {
  url: string;
  username: string;
  password: string;
  database?: string;
  timeoutMs: number;
}

export interface EndpointIndexConfig {
  collection: string;
  /** Also write the Integration -EXPOSES-> Operation -USES-> Schema graph there. */
  graph?: EndpointGraphConfig;
}

/**
 * Destination of the endpoint-indexing pipeline. For each integration in a
 * batch: upserts its operations as points of the `endpoints` collection of
 * the process's vector store (key `<integrationId>:<operationId>`, payload
 * {integrationId, integrationName, operationId, method, path, summary}) and,
 * when the batch carries the integration's own item (the source sends an
 * integration's whole spec as one batch), removes the points of operations
 * that are no longer in it. With `graph`, also merges the graph through the
 * neo4j destination.
 *
 * An integration deleted meanwhile is skipped: its entries were (or are
 * being) removed, and a run that read it just before must not bring them back.
 */
export class EndpointIndexDestination implements StorageAdapter<EndpointIndexConfig> {
  private readonly records: IntegrationRecords;
  private owned: EmbeddedVectorStore | undefined;
  private graph: Neo4jDestination | undefined;

  constructor(private readonly context: StorageContext) {
    this.records = new IntegrationRecords(context);
  }

  async writeBatch(batch: Item[], config: EndpointIndexConfig): Promise<WriteResult> {
    const store = this.store();
    const live: Item[] = [];
    for (const [integrationId, items] of groupBy(batch, (item) => String(item.integrationId ?? ''))) {
      if (!integrationId) throw new AppError('VALIDATION', `endpoint item ${JSON.stringify(items[0]?.id)} has no integrationId`);
      if (!(await this.records.get(integrationId))) {
        this.context.logger.info({ integrationId }, 'integration deleted while it was being indexed; its entries are not written');
        continue;
      }
      const points = items.filter((i) => i.kind === 'operation').map(toPoint);
      if (points.length > 0) await store.upsert(config.collection, points);
      if (items.some((i) => i.kind === 'integration')) await prune(store, config.collection, integrationId, points);
      live.push(...items);
    }
    if (config.graph && live.length > 0) await this.writeGraph(live, config.graph);
    return { written: live.length };
  }

  async healthCheck(config: EndpointIndexConfig): Promise<HealthResult> {
    const started = Date.now();
    try {
      await this.store().count(config.collection);
      return { ok: true, latencyMs: Date.now() - started };
    } catch (err) {
      return { ok: false, latencyMs: Date.now() - started, error: (err as Error).message };
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.owned?.close(), this.graph?.close()]);
    this.owned = undefined;
    this.graph = undefined;
  }

  private store(): VectorStore {
    if (this.context.vectorStore) return this.context.vectorStore;
    this.owned ??= new EmbeddedVectorStore({ dir: join(this.context.dataDir, 'vectors'), logger: this.context.logger });
    return this.owned;
  }

  private async writeGraph(items: Item[], graph: EndpointGraphConfig): Promise<void> {
    this.graph ??= new Neo4jDestination(this.context);
    for (const write of endpointGraph(items)) {
      await this.graph.writeBatch(write.items, { ...graph, nodes: write.nodes, relationships: write.relationships, batchSize: 500 });
    }
  }
}

function toPoint(item: Item): VectorPoint {
  const vector = item.vector;
  if (!Array.isArray(vector) || vector.length === 0 || !vector.every((v) => typeof v === 'number')) {
    throw new AppError('VALIDATION', `endpoint item ${JSON.stringify(item.id)} has no vector (is the embed processor missing?)`, { key: item.id });
  }
  const payload: EndpointPayload = {
    integrationId: String(item.integrationId),
    integrationName: String(item.integrationName),
    operationId: String(item.operationId),
    method: String(item.method),
    path: String(item.path),
    ...(typeof item.summary === 'string' ? { summary: item.summary } : {}),
  };
  return { id: String(item.id), vector: vector as number[], payload: { ...payload } };
}

/**
 * Removes the points of an integration that are not among `kept` (operations
 * that left its spec). Stores list nothing, so the integration's points are
 * found with a search filtered to it, as many as it has.
 */
async function prune(store: VectorStore, collection: string, integrationId: string, kept: VectorPoint[]): Promise<void> {
  const filter = { integrationId };
  const total = await store.count(collection, filter);
  if (total <= kept.length) return; // every point of it is one just written
  if (kept.length === 0) return store.delete(collection, { filter });
  const keep = new Set(kept.map((p) => p.id));
  const hits = await store.search(collection, kept[0]!.vector, { limit: total, filter });
  const stale = hits.map((h) => h.id).filter((id) => !keep.has(id));
  if (stale.length > 0) await store.delete(collection, { ids: stale });
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

export const endpointIndexDestination: Omit<AdapterDefinition<EndpointIndexConfig>, 'type'> = {
  description: 'The endpoint index (destination): operations as points of a vector collection, pruned to the current spec, and optionally the endpoint graph in Neo4j/Memgraph',
  roles: ['destination'],
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      collection: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$', default: ENDPOINTS_COLLECTION },
      graph: {
        type: 'object',
        additionalProperties: false,
        required: ['url', 'username', 'password'],
        properties: {
          url: { type: 'string', pattern: '^(bolt|neo4j)(\\+s|\\+ssc)?://[^\\s/@]+/?$', description: 'Bolt URL, e.g. bolt://neo4j:7687.' },
          username: { type: 'string', minLength: 1 },
          password: { type: 'string', description: 'Secret.' },
          database: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9.-]{0,62}$' },
          timeoutMs: { type: 'integer', minimum: 100, maximum: 600_000, default: 30_000 },
        },
      },
    },
  },
  adapter: EndpointIndexDestination,
};
