import type { AdapterDefinition, Item, StorageContext, WriteResult } from '../../types.js';
import { VectorDestination } from '../../vector/destination.js';
import type { VectorStore } from '../../vector/types.js';
import { qdrantConfigSchema, type QdrantDestinationConfig } from './qdrant.config.js';
import { QdrantVectorStore } from './store.js';

/**
 * Destination (and search) on a Qdrant server: point id = UUID v5 of the
 * item key, payload = the item without its vector, batched upserts that wait
 * for Qdrant to apply them.
 */
export class QdrantDestination extends VectorDestination<QdrantDestinationConfig> {
  private store: QdrantVectorStore | undefined;
  private prepared: Promise<void> | undefined;

  constructor(_context: StorageContext) {
    super();
  }

  protected async storeFor(config: QdrantDestinationConfig): Promise<VectorStore> {
    this.store ??= new QdrantVectorStore({ url: config.url, apiKey: config.apiKey, timeoutMs: config.timeoutMs, batchSize: config.batchSize });
    const store = this.store;
    // Collection (when its size is configured) and payload indexes, once per stage.
    this.prepared ??= (async () => {
      if (config.dimensions !== undefined) await store.ensureCollection(config.collection, config.dimensions);
    })();
    await this.prepared.catch((err) => {
      this.prepared = undefined;
      throw err;
    });
    return store;
  }

  override async writeBatch(batch: Item[], config: QdrantDestinationConfig): Promise<WriteResult> {
    const result = await super.writeBatch(batch, config);
    // Indexes need the collection, which the first write creates when its size is not configured.
    if (result.written > 0 && config.payloadIndexes.length > 0) await this.store!.ensurePayloadIndexes(config.collection, config.payloadIndexes);
    return result;
  }

  async close(): Promise<void> {
    await this.store?.close();
    this.store = undefined;
    this.prepared = undefined;
  }
}

export const qdrantAdapter: Omit<AdapterDefinition<QdrantDestinationConfig>, 'type'> = {
  description: 'Qdrant vector database (destination, search): collection created with the embedding\u2019s dimension, cosine distance, point ids derived from item keys',
  roles: ['destination'],
  configSchema: qdrantConfigSchema,
  adapter: QdrantDestination,
};
