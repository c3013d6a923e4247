import { BUCKETS } from '@autoweave/contracts';
import { SecretBox } from '@autoweave/security';
import { RUNTIME } from '@autoweave/service-kit';
import { storageAdapterFactory, type VectorStore } from '@autoweave/storage';
import { Inject, type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { DatabaseSync } from '../database-sync/database-sync.js';
import { PipelineWorker, type WorkerRuntime } from '../pipeline-worker.js';
import { EndpointSearch } from '../search/endpoint-search.js';
import { VECTOR_STORE } from '../search/search.providers.js';
import { EndpointIndexer } from './endpoint-indexer.js';
import { IntegrationWatch } from './integration-watch.js';
import { ManagedPipelines } from './managed-pipelines.js';

/**
 * Starts the integrations watch once the worker is up (its replay drives the
 * first indexing and sync), and on shutdown stops it, lets runs finish and
 * closes the vector store and the search embedder.
 */
export class IntegrationWorkLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(RUNTIME) private readonly runtime: WorkerRuntime,
    @Inject(PipelineWorker) private readonly worker: PipelineWorker,
    @Inject(IntegrationWatch) private readonly watch: IntegrationWatch,
    @Inject(EndpointIndexer) private readonly indexer: EndpointIndexer,
    @Inject(DatabaseSync) private readonly sync: DatabaseSync,
    @Inject(EndpointSearch) private readonly search: EndpointSearch,
    @Inject(VECTOR_STORE) private readonly vectorStore: VectorStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const indexing = this.runtime.config.search.indexEndpoints;
    if (indexing) this.indexer.listen();
    this.sync.listen();
    await this.watch.start();
    const log = (err: unknown): void => this.runtime.logger.warn({ err: (err as Error).message }, 'could not look for pipelines of deleted integrations');
    if (indexing) void this.indexer.sweepOrphans().catch(log);
    void this.sync.sweepOrphans().catch(log);
  }

  async onApplicationShutdown(): Promise<void> {
    this.watch.stop();
    await Promise.all([this.indexer.stop(), this.sync.stop()]);
    // Runs write to the vector store: they end (checkpointed) before it closes. Safe to call again.
    await this.worker.coordinator.shutdown();
    await Promise.all([this.search.close(), this.vectorStore.close()]);
  }
}

/** Endpoint indexing and database sync: the integrations watch and the two reconcilers over the worker's registry. */
export const indexingProviders: Provider[] = [
  {
    provide: IntegrationWatch,
    inject: [RUNTIME],
    useFactory: (runtime: WorkerRuntime) => new IntegrationWatch(runtime.bucket(BUCKETS.integrations), SecretBox.fromKeys(runtime.config.secretKeys)),
  },
  {
    provide: ManagedPipelines,
    inject: [RUNTIME, PipelineWorker],
    useFactory: (runtime: WorkerRuntime, worker: PipelineWorker) => new ManagedPipelines(worker.registry, worker.coordinator, runtime.logger.child({ component: 'managed-pipelines' })),
  },
  {
    provide: EndpointIndexer,
    inject: [RUNTIME, IntegrationWatch, ManagedPipelines, VECTOR_STORE],
    useFactory: (runtime: WorkerRuntime, watch: IntegrationWatch, managed: ManagedPipelines, vectorStore: VectorStore) =>
      new EndpointIndexer({
        watch,
        managed,
        vectorStore,
        settings: { embedder: runtime.config.search.embedder, graph: runtime.config.search.graph, secretKey: runtime.config.secretKeys.current },
        logger: runtime.logger.child({ component: 'endpoint-index' }),
        retryMs: runtime.config.search.retryMs,
      }),
  },
  {
    provide: DatabaseSync,
    inject: [RUNTIME, IntegrationWatch, ManagedPipelines, VECTOR_STORE],
    useFactory: (runtime: WorkerRuntime, watch: IntegrationWatch, managed: ManagedPipelines, vectorStore: VectorStore) => {
      const logger = runtime.logger.child({ component: 'database-sync' });
      return new DatabaseSync({
        watch,
        managed,
        factory: storageAdapterFactory,
        storage: { bus: runtime.bus, logger, dataDir: runtime.config.dataDir, outbound: runtime.config.search.outboundPolicy, vectorStore },
        embedder: runtime.config.search.embedder,
        secretKey: runtime.config.secretKeys.current,
        logger,
        retryMs: runtime.config.search.retryMs,
      });
    },
  },
  IntegrationWorkLifecycle,
];
