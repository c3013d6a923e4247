import { join } from 'node:path';
import { QdrantVectorStore, type QdrantConnection } from '../adapters/qdrant/store.js';
import type { StorageContext } from '../types.js';
import { EmbeddedVectorStore } from './embedded-store.js';
import type { VectorStore } from './types.js';

export interface VectorStoreConfig {
  /** A Qdrant server; when its `url` is set, it is the store. */
  qdrant?: Partial<QdrantConnection>;
  /** The embedded store's folder; default `<dataDir>/vectors`. */
  dir?: string;
  /** The embedded store compacts its log past this many bytes. */
  compactBytes?: number;
}

/**
 * The process's vector store: Qdrant when a URL is configured, otherwise the
 * embedded store (so semantic search works with nothing else installed).
 * Give the result to components as `context.vectorStore`.
 */
export function createVectorStore(config: VectorStoreConfig, context: Pick<StorageContext, 'dataDir' | 'logger'>): VectorStore {
  if (config.qdrant?.url) return new QdrantVectorStore({ ...config.qdrant, url: config.qdrant.url });
  return new EmbeddedVectorStore({ dir: config.dir ?? join(context.dataDir, 'vectors'), compactBytes: config.compactBytes, logger: context.logger });
}
