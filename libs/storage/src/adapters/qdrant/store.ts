import { QdrantClient } from '@qdrant/js-client-rest';
import { AppError } from '@autoweave/contracts';
import { assertCollectionName } from '../../vector/collection-name.js';
import { assertFilter } from '../../vector/filter.js';
import type { VectorFilter, VectorHit, VectorPoint, VectorSearchOptions, VectorSelector, VectorStore } from '../../vector/types.js';
import { isNotFound, qdrantError } from './errors.js';
import {
  collectionDimensions,
  collectionParams,
  deleteByIdsRequest,
  inBatches,
  payloadIndexRequests,
  toHit,
  toQdrantFilter,
  toQdrantPoints,
  type PayloadIndex,
} from './requests.js';

export interface QdrantConnection {
  url: string;
  apiKey?: string;
  /** Per request, ms. Default 30 000. */
  timeoutMs?: number;
  /** Points per upsert request. Default 256. */
  batchSize?: number;
}

/**
 * The VectorStore over a Qdrant server, through the official REST client.
 * Collections are created on the first upsert with the vectors' dimension
 * and cosine distance; upserts wait until Qdrant has applied them, so an
 * acknowledged batch is searchable and a resumed run never duplicates.
 */
export class QdrantVectorStore implements VectorStore {
  readonly kind = 'qdrant' as const;
  private readonly client: QdrantClient;
  /** Collections known to exist, with their dimension. */
  private readonly collections = new Map<string, number | undefined>();
  private readonly indexed = new Set<string>();

  constructor(private readonly connection: QdrantConnection) {
    this.client = new QdrantClient({ url: connection.url, apiKey: connection.apiKey, timeout: connection.timeoutMs ?? 30_000, checkCompatibility: false });
  }

  async upsert(collection: string, points: VectorPoint[]): Promise<void> {
    assertCollectionName(collection);
    if (points.length === 0) return;
    const dimensions = points[0]!.vector.length;
    const odd = points.find((p) => p.vector.length !== dimensions);
    if (odd) throw new AppError('VALIDATION', `point "${odd.id}": vector has ${odd.vector.length} dimensions, others in the batch have ${dimensions}`);
    await this.ensureCollection(collection, dimensions);
    for (const batch of inBatches(toQdrantPoints(points), this.connection.batchSize ?? 256)) {
      await this.call('upsert', () => this.client.upsert(collection, { wait: true, points: batch }));
    }
  }

  async search(collection: string, vector: ArrayLike<number>, options: VectorSearchOptions): Promise<VectorHit[]> {
    assertCollectionName(collection);
    if (options.filter !== undefined) assertFilter(options.filter);
    try {
      const result = await this.client.query(collection, {
        query: Array.from(vector),
        limit: options.limit,
        filter: toQdrantFilter(options.filter),
        with_payload: true,
      });
      return result.points.map((p) => toHit({ id: p.id, score: p.score, payload: p.payload as Record<string, unknown> | null | undefined }));
    } catch (err) {
      if (isNotFound(err)) return [];
      throw qdrantError(err, 'search');
    }
  }

  async delete(collection: string, selector: VectorSelector): Promise<void> {
    assertCollectionName(collection);
    try {
      if ('ids' in selector) {
        if (selector.ids.length === 0) return;
        await this.client.delete(collection, deleteByIdsRequest(selector.ids));
      } else {
        assertFilter(selector.filter);
        await this.client.delete(collection, { wait: true, filter: toQdrantFilter(selector.filter) ?? {} });
      }
    } catch (err) {
      if (isNotFound(err)) return;
      throw qdrantError(err, 'delete');
    }
  }

  async count(collection: string, filter?: VectorFilter): Promise<number> {
    assertCollectionName(collection);
    if (filter !== undefined) assertFilter(filter);
    try {
      return (await this.client.count(collection, { filter: toQdrantFilter(filter), exact: true })).count;
    } catch (err) {
      if (isNotFound(err)) return 0;
      throw qdrantError(err, 'count');
    }
  }

  /**
   * Makes sure the collection exists with this dimension: creates it when
   * missing (a concurrent creator winning is fine), refuses a collection
   * whose vectors have another size.
   */
  async ensureCollection(collection: string, dimensions: number): Promise<void> {
    assertCollectionName(collection);
    if (!this.collections.has(collection)) {
      let existing = await this.describe(collection);
      if (existing === null) {
        try {
          await this.client.createCollection(collection, collectionParams(dimensions));
          existing = dimensions;
        } catch (err) {
          existing = await this.describe(collection);
          if (existing === null) throw qdrantError(err, `create collection ${collection}`);
        }
      }
      this.collections.set(collection, existing);
    }
    const known = this.collections.get(collection);
    if (known !== undefined && known !== dimensions) {
      throw new AppError('VALIDATION', `qdrant collection "${collection}" holds ${known}-dimensional vectors; these have ${dimensions}`, { collection });
    }
  }

  /** Creates payload indexes once per store (Qdrant treats a repeat as a no-op anyway). */
  async ensurePayloadIndexes(collection: string, indexes: readonly PayloadIndex[]): Promise<void> {
    for (const request of payloadIndexRequests(indexes)) {
      const key = `${collection}\u0000${request.field_name}`;
      if (this.indexed.has(key)) continue;
      await this.call(`create payload index ${request.field_name}`, () => this.client.createPayloadIndex(collection, request));
      this.indexed.add(key);
    }
  }

  async ping(): Promise<void> {
    await this.call('health check', () => this.client.getCollections());
  }

  async close(): Promise<void> {
    this.collections.clear();
  }

  /** The collection's vector size; null when it does not exist, undefined when its layout has named vectors. */
  private async describe(collection: string): Promise<number | undefined | null> {
    try {
      return collectionDimensions(await this.client.getCollection(collection));
    } catch (err) {
      if (isNotFound(err)) return null;
      throw qdrantError(err, `read collection ${collection}`);
    }
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw qdrantError(err, operation);
    }
  }
}
