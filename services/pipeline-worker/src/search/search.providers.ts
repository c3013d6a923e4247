import { RUNTIME } from '@autoweave/service-kit';
import { createVectorStore, embedderRegistry, type VectorStore } from '@autoweave/storage';
import type { Provider } from '@nestjs/common';
import type { WorkerRuntime } from '../pipeline-worker.js';
import { EndpointSearch } from './endpoint-search.js';

/** The process's vector store (Qdrant when AUTOWEAVE_QDRANT_URL is set, else the embedded one under the data folder). */
export const VECTOR_STORE = Symbol('vector-store');

/**
 * One vector store per process, shared by the pipelines' `vector` and
 * `endpoint-index` destinations (as `context.vectorStore`) and by search,
 * so a search sees what this process's pipelines wrote.
 */
export const searchProviders: Provider[] = [
  {
    provide: VECTOR_STORE,
    inject: [RUNTIME],
    useFactory: (runtime: WorkerRuntime): VectorStore =>
      createVectorStore({ qdrant: runtime.config.search.qdrant }, { dataDir: runtime.config.dataDir, logger: runtime.logger.child({ component: 'vectors' }) }),
  },
  {
    provide: EndpointSearch,
    inject: [RUNTIME, VECTOR_STORE],
    useFactory: (runtime: WorkerRuntime, store: VectorStore) =>
      new EndpointSearch(
        store,
        embedderRegistry.create(runtime.config.search.embedder, {
          logger: runtime.logger.child({ component: 'search' }),
          dataDir: runtime.config.dataDir,
          outbound: runtime.config.search.outboundPolicy,
        }),
      ),
  },
];
