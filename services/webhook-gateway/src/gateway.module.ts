import { BUCKETS } from '@autoweave/contracts';
import { RUNTIME, type ServiceRuntime } from '@autoweave/service-kit';
import { Module } from '@nestjs/common';
import { resolveAdminKeyHash } from './auth/admin-key.js';
import { ApiKeyRegistry } from './auth/api-key-registry.js';
import { KvApiKeyStore } from './auth/kv-key-store.js';
import type { GatewayConfig } from './config.js';
import { HealthController } from './http/health.controller.js';
import { IntegrationCallController, IntegrationController } from './http/integration.controller.js';
import { KeysController } from './http/keys.controller.js';
import { OpenApiController } from './http/openapi.controller.js';
import { OpenApiDocument } from './http/openapi.js';
import { ServicesController } from './http/services.controller.js';
import { IntegrationAdmin } from './integrations/integration-admin.js';

@Module({
  controllers: [IntegrationController, IntegrationCallController, KeysController, ServicesController, HealthController, OpenApiController],
  providers: [
    {
      provide: ApiKeyRegistry,
      inject: [RUNTIME],
      useFactory: (runtime: ServiceRuntime<GatewayConfig>) =>
        new ApiKeyRegistry(new KvApiKeyStore(runtime.bucket(BUCKETS.apiKeys)), {
          adminKeyHash: resolveAdminKeyHash(runtime.config.adminApiKeyHash, runtime.logger),
          cacheTtlMs: runtime.config.apiKeyCacheMs,
        }),
    },
    {
      provide: IntegrationAdmin,
      inject: [RUNTIME],
      useFactory: (runtime: ServiceRuntime<GatewayConfig>) => new IntegrationAdmin(runtime.bus, runtime.config.requestTimeoutMs),
    },
    OpenApiDocument,
  ],
})
export class GatewayModule {}
