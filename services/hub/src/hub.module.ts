import { BUCKETS } from '@autoweave/contracts';
import { RUNTIME, type ServiceRuntime } from '@autoweave/service-kit';
import { Module } from '@nestjs/common';
import type { HubConfig } from './config.js';
import { RegistryHandlers } from './handlers/registry.handlers.js';
import { RegistryRepository } from './registry/registry.repository.js';
import { RegistryService } from './registry/registry.service.js';
import { SecretBox } from './registry/secret-box.js';

@Module({
  controllers: [RegistryHandlers],
  providers: [
    {
      provide: RegistryService,
      inject: [RUNTIME],
      useFactory: (runtime: ServiceRuntime<HubConfig>) =>
        new RegistryService({
          repository: new RegistryRepository(runtime.bucket(BUCKETS.integrations)),
          secrets: SecretBox.fromString(runtime.config.secretKey),
          publish: (subject, data) => runtime.bus.publish(subject, data),
        }),
    },
  ],
})
export class HubModule {}
