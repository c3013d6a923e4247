import { BUCKETS, INTEGRATION_RECORD_PREFIX, type IntegrationRecord, type StoredIntegration } from '@autoweave/contracts';
import { KvSnapshot } from '@autoweave/messaging';
import { SecretBox } from '@autoweave/security';
import { RUNTIME, type ServiceRuntime } from '@autoweave/service-kit';
import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { resolveAdminKeyHashes } from './auth/admin-key.js';
import { ApiKeyRegistry } from './auth/api-key-registry.js';
import { KvApiKeyStore } from './auth/kv-key-store.js';
import type { GatewayConfig } from './config.js';
import { HealthController } from './http/health.controller.js';
import { IntegrationCallController, IntegrationController } from './http/integration.controller.js';
import { KeysController } from './http/keys.controller.js';
import { PipelineController } from './http/pipeline.controller.js';
import { OpenApiController } from './http/openapi.controller.js';
import { OpenApiDocument } from './http/openapi.js';
import { SearchController } from './http/search.controller.js';
import { ServicesController } from './http/services.controller.js';
import { IntegrationAdmin } from './integrations/integration-admin.js';
import { WebhookEndpoints } from './webhooks/endpoints.js';
import { DeliveryHandlers } from './webhooks/outbound/delivery.handlers.js';
import { outboundWebhookProviders } from './webhooks/outbound/outbound-webhooks.js';
import { EventsController } from './http/events.controller.js';
import { DeliveriesController } from './http/webhooks.controller.js';
import { InboundWebhooks } from './webhooks/inbound/inbound-webhooks.js';
import { liveEventsProvider } from './live/live-events.provider.js';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { AuditLog } from './audit/audit-log.js';
import { AuditController } from './http/audit.controller.js';

/** The gateway's read-only view of the integrations bucket (the hub writes it). */
export const INTEGRATIONS_SNAPSHOT = Symbol('integrations-snapshot');

class GatewayLifecycle implements OnApplicationShutdown {
  constructor(@Inject(INTEGRATIONS_SNAPSHOT) private readonly snapshot: KvSnapshot<StoredIntegration>) {}

  onApplicationShutdown(): void {
    this.snapshot.stop();
  }
}

@Module({
  controllers: [IntegrationController, IntegrationCallController, KeysController, ServicesController, HealthController, OpenApiController,
    DeliveriesController, EventsController, DeliveryHandlers, PipelineController, SearchController, AuditController],
  providers: [
    {
      provide: ApiKeyRegistry,
      inject: [RUNTIME],
      useFactory: (runtime: ServiceRuntime<GatewayConfig>) =>
        new ApiKeyRegistry(new KvApiKeyStore(runtime.bucket(BUCKETS.apiKeys)), {
          adminKeyHashes: resolveAdminKeyHashes(runtime.config.adminApiKeyHashes, runtime.logger),
          cacheTtlMs: runtime.config.apiKeyCacheMs,
        }),
    },
    {
      provide: IntegrationAdmin,
      inject: [RUNTIME],
      useFactory: (runtime: ServiceRuntime<GatewayConfig>) => new IntegrationAdmin(runtime.bus, runtime.config.requestTimeoutMs),
    },
    {
      provide: INTEGRATIONS_SNAPSHOT,
      inject: [RUNTIME],
      useFactory: async (runtime: ServiceRuntime<GatewayConfig>) => {
        const snapshot = new KvSnapshot<StoredIntegration>(runtime.bucket(BUCKETS.integrations), INTEGRATION_RECORD_PREFIX, (value, revision) => ({
          record: value as IntegrationRecord,
          revision,
        }));
        await snapshot.start();
        return snapshot;
      },
    },
    {
      provide: WebhookEndpoints,
      inject: [RUNTIME, INTEGRATIONS_SNAPSHOT],
      useFactory: (runtime: ServiceRuntime<GatewayConfig>, snapshot: KvSnapshot<StoredIntegration>) =>
        new WebhookEndpoints(snapshot, SecretBox.fromKeys(runtime.config.secretKeys)),
    },
    {
      provide: InboundWebhooks,
      inject: [RUNTIME, WebhookEndpoints, INTEGRATIONS_SNAPSHOT],
      useFactory: (runtime: ServiceRuntime<GatewayConfig>, endpoints: WebhookEndpoints, snapshot: KvSnapshot<StoredIntegration>) =>
        new InboundWebhooks(runtime, endpoints, snapshot),
    },
    ...outboundWebhookProviders(INTEGRATIONS_SNAPSHOT),
    {
      provide: AuditLog,
      inject: [RUNTIME],
      useFactory: async (runtime: ServiceRuntime<GatewayConfig>) =>
        new AuditLog(jetstream(runtime.bus.nc), await jetstreamManager(runtime.bus.nc), runtime.logger),
    },
    GatewayLifecycle,
    OpenApiDocument,
    liveEventsProvider,
  ],
})
export class GatewayModule {}
