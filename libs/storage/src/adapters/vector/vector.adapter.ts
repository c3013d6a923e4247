import { join } from 'node:path';
import type { AdapterDefinition, StorageContext } from '../../types.js';
import { VectorDestination, type VectorDestinationConfig } from '../../vector/destination.js';
import { EmbeddedVectorStore } from '../../vector/embedded-store.js';
import type { VectorStore } from '../../vector/types.js';
import { vectorConfigSchema } from './vector.config.js';

/**
 * Destination (and search) on the process's default vector store: Qdrant
 * when the service is configured with one, otherwise the embedded store
 * under the data folder. Pipelines name a collection, not a server.
 */
export class DefaultVectorDestination extends VectorDestination<VectorDestinationConfig> {
  private owned: EmbeddedVectorStore | undefined;

  constructor(private readonly context: StorageContext) {
    super();
  }

  protected async storeFor(): Promise<VectorStore> {
    if (this.context.vectorStore) return this.context.vectorStore;
    this.owned ??= new EmbeddedVectorStore({ dir: join(this.context.dataDir, 'vectors'), logger: this.context.logger });
    return this.owned;
  }

  async close(): Promise<void> {
    await this.owned?.close();
    this.owned = undefined;
  }
}

export const vectorAdapter: Omit<AdapterDefinition<VectorDestinationConfig>, 'type'> = {
  description: 'The default vector store (destination, search): Qdrant when the service has one configured, else the embedded file-backed store with exact cosine search',
  roles: ['destination'],
  configSchema: vectorConfigSchema,
  adapter: DefaultVectorDestination,
};
