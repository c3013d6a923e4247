import { BUCKETS } from '@autoweave/contracts';
import { RUNTIME, type ServiceRuntime } from '@autoweave/service-kit';
import { Module } from '@nestjs/common';
import type { AgentAdapterConfig } from './config.js';
import { ManifestsHandlers } from './handlers/manifests.handlers.js';
import { ManifestService } from './manifests/manifest-service.js';
import { ManifestStore } from './manifests/manifest-store.js';

/** Agent adapter: OpenAPI documents in, validated Kubernetes manifests out. */
@Module({
  controllers: [ManifestsHandlers],
  providers: [
    {
      provide: ManifestService,
      inject: [RUNTIME],
      useFactory: (runtime: ServiceRuntime<AgentAdapterConfig>) =>
        new ManifestService({
          bus: runtime.bus,
          store: new ManifestStore(runtime.bucket(BUCKETS.manifests)),
          runtimeImage: runtime.config.runtimeImage,
          requestTimeoutMs: runtime.config.requestTimeoutMs,
        }),
    },
  ],
})
export class AgentAdapterModule {}
