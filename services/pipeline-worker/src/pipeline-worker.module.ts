import { RUNTIME } from '@autoweave/service-kit';
import type { VectorStore } from '@autoweave/storage';
import { Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ComponentHandlers } from './handlers/component.handlers.js';
import { DeadLetterHandlers } from './handlers/dead-letter.handlers.js';
import { PipelineAdminHandlers } from './handlers/pipeline-admin.handlers.js';
import { RunHandlers } from './handlers/run.handlers.js';
import { SyncHandlers } from './database-sync/sync.handlers.js';
import { registerIntegrationComponents } from './indexing/components.js';
import { indexingProviders } from './indexing/indexing.providers.js';
import { ensureBuiltins, PipelineWorker, type WorkerRuntime } from './pipeline-worker.js';
import { SearchHandlers } from './search/search.handlers.js';
import { searchProviders, VECTOR_STORE } from './search/search.providers.js';
import { ComponentCatalogue } from './pipelines/component-catalogue.js';
import { PipelineRegistry } from './pipelines/pipeline-registry.js';
import { PipelineRepository } from './pipelines/pipeline.repository.js';
import { DeadLetterRetry } from './runs/dead-letter-retry.js';
import { DeadLetterQueue } from './runs/dead-letters.js';
import { PipelineInsight } from './runs/pipeline-insight.js';
import { RunCoordinator } from './runs/run-coordinator.js';

/** Starts the triggers once the handlers are up; on shutdown lets runs finish their batch and release their leases. */
class PipelineWorkerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(PipelineWorker) private readonly worker: PipelineWorker) {}

  onApplicationBootstrap(): void {
    this.worker.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker.shutdown();
  }
}

const part = <T>(provide: abstract new (...args: never[]) => T, pick: (w: PipelineWorker) => T) => ({ provide, inject: [PipelineWorker], useFactory: pick });

/**
 * Pipeline worker: runs pipelines (sources -> processors -> destinations)
 * with checkpoints, leases, schedules and a dead-letter queue (`pipeline.*`).
 * The parts are plain TypeScript built by PipelineWorker; this module hands
 * them to the thin handlers.
 */
@Module({
  controllers: [PipelineAdminHandlers, RunHandlers, DeadLetterHandlers, SearchHandlers, SyncHandlers, ComponentHandlers],
  providers: [
    {
      provide: PipelineWorker,
      inject: [RUNTIME, VECTOR_STORE],
      useFactory: (runtime: WorkerRuntime, vectorStore: VectorStore) =>
        PipelineWorker.create(runtime, registerIntegrationComponents(ensureBuiltins()), { vectorStore, outbound: runtime.config.search.outboundPolicy }),
    },
    part(PipelineRegistry, (w) => w.registry),
    part(PipelineRepository, (w) => w.repository),
    part(RunCoordinator, (w) => w.coordinator),
    part(PipelineInsight, (w) => w.insight),
    part(DeadLetterQueue, (w) => w.deadLetters),
    part(DeadLetterRetry, (w) => w.retrier),
    part(ComponentCatalogue, (w) => w.components),
    PipelineWorkerLifecycle,
    ...searchProviders,
    ...indexingProviders,
  ],
})
export class PipelineWorkerModule {}
