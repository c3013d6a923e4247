import { AppError } from '@autoweave/contracts';
import { fieldPathSchema } from '../paths.js';
import type { HealthResult, Item, StorageAdapter, WriteResult } from '../types.js';
import { collectionNameSchema } from './collection-name.js';
import { itemsToPoints } from './points.js';
import type { VectorHit, VectorSearchOptions, VectorStore } from './types.js';

/** Config every vector destination shares. */
export interface VectorDestinationConfig {
  collection: string;
  keyField: string;
  vectorField: string;
  /** When set, vectors of another size are refused (and Qdrant creates the collection with it). */
  dimensions?: number;
}

/** JSON Schema properties of `VectorDestinationConfig`, for the adapters' own schemas. */
export const vectorDestinationProperties = {
  collection: { ...collectionNameSchema, description: 'Collection to write to; created on the first write with the vectors\u2019 dimension.' },
  keyField: { ...fieldPathSchema, default: 'id', description: 'Item field holding the key (upserts replace by key).' },
  vectorField: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_-]{0,99}$', default: 'vector', description: 'Item field holding the vector (set by the embed processor); not stored in the payload.' },
  dimensions: { type: 'integer', minimum: 1, maximum: 65536, description: 'Expected vector size; optional.' },
} as const;

/**
 * A destination that writes items as points (id = key, payload = item
 * without its vector) into a VectorStore, and searches it.
 */
export abstract class VectorDestination<C extends VectorDestinationConfig> implements StorageAdapter<C> {
  protected abstract storeFor(config: C): Promise<VectorStore>;

  async writeBatch(batch: Item[], config: C): Promise<WriteResult> {
    const points = itemsToPoints(batch, config);
    if (config.dimensions !== undefined) {
      const odd = points.find((p) => p.vector.length !== config.dimensions);
      if (odd) throw new AppError('VALIDATION', `item "${odd.id}": vector has ${odd.vector.length} dimensions, the destination expects ${config.dimensions}`, { key: odd.id });
    }
    if (points.length > 0) await (await this.storeFor(config)).upsert(config.collection, points);
    return { written: points.length };
  }

  async search(config: C, vector: ArrayLike<number>, options: VectorSearchOptions): Promise<VectorHit[]> {
    return (await this.storeFor(config)).search(config.collection, vector, options);
  }

  async healthCheck(config: C): Promise<HealthResult> {
    const started = Date.now();
    try {
      await (await this.storeFor(config)).count(config.collection);
      return { ok: true, latencyMs: Date.now() - started };
    } catch (err) {
      return { ok: false, latencyMs: Date.now() - started, error: err instanceof Error ? err.message : String(err) };
    }
  }

  abstract close(): Promise<void>;
}
