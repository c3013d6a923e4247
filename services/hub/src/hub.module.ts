import { AppError, BUCKETS, INTEGRATION_RECORD_PREFIX } from '@autoweave/contracts';
import { rewriteKvRecords } from '@autoweave/messaging';
import { RUNTIME, type ServiceRuntime } from '@autoweave/service-kit';
import { assertUrlAllowed, createBreakerMetrics } from '@autoweave/resilience';
import { Inject, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ApiCatalog } from './apis/api-catalog.js';
import { CallExecutor, countsAsFailure } from './calls/call-executor.js';
import { CallTelemetry } from './calls/call-telemetry.js';
import type { HubConfig } from './config.js';
import { OAuth2TokenCache } from './execute/oauth2-token-cache.js';
import { ParamValidator } from './execute/params.js';
import { UpstreamClient } from './execute/upstream-client.js';
import { IntegrationGuards } from './guards/integration-guards.js';
import { registerExecuteHandler } from './handlers/execute.handlers.js';
import { InsightHandlers } from './handlers/insight.handlers.js';
import { IntakeHandlers } from './handlers/intake.handlers.js';
import { ModuleIntake } from './intake/module-intake.js';
import { RegistryHandlers } from './handlers/registry.handlers.js';
import { HealthMonitor } from './health/health-monitor.js';
import { HealthProber } from './health/health-prober.js';
import { IntegrationLog } from './insight/integration-log.js';
import { RegistryRepository } from './registry/registry.repository.js';
import { RegistrySnapshot } from './registry/registry-snapshot.js';
import { RegistryService } from './registry/registry.service.js';
import type { IntegrationRecord } from './registry/integration-record.js';
import { SecretBox } from '@autoweave/security';
import { PluginCalls } from './plugins/host/plugin-calls.js';
import { PluginRegistration } from './plugins/host/plugin-registration.js';
import { PluginHandlers } from './plugins/plugin.handlers.js';
import { pluginProviders } from './plugins/plugin.providers.js';

type Runtime = ServiceRuntime<HubConfig>;

/** Starts what runs in the background and stops it (and the HTTP pool) on shutdown. */
class HubLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(HealthMonitor) private readonly health: HealthMonitor,
    @Inject(RegistrySnapshot) private readonly snapshot: RegistrySnapshot,
    @Inject(IntegrationGuards) private readonly guards: IntegrationGuards,
    @Inject(UpstreamClient) private readonly client: UpstreamClient,
    @Inject(IntegrationLog) private readonly log: IntegrationLog,
    @Inject(CallExecutor) private readonly executor: CallExecutor,
    @Inject(RegistryService) private readonly registry: RegistryService,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  onModuleInit(): void {
    this.health.start();
    this.snapshot.onChange((id, stored) => {
      if (!stored) this.executor.forget(id);
    });
    void this.resealSecrets();
  }

  /**
   * Key rotation: re-seals, in the background, the integration secrets sealed
   * with a key from AUTOWEAVE_SECRET_KEY_PREVIOUS under AUTOWEAVE_SECRET_KEY.
   * Every replica may run it; compare-and-set makes that harmless.
   */
  private async resealSecrets(): Promise<void> {
    const { logger } = this.runtime;
    try {
      const result = await rewriteKvRecords<IntegrationRecord>(this.runtime.bucket(BUCKETS.integrations), {
        prefix: INTEGRATION_RECORD_PREFIX,
        rewrite: (record) => this.registry.resealed(record),
      });
      const { rewritten, scanned, failed } = result;
      logger[failed.length > 0 ? 'warn' : 'info']({ resealed: rewritten, scanned, failed }, 'integration secrets re-sealed with the current key');
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'could not re-seal integration secrets; they stay readable with AUTOWEAVE_SECRET_KEY_PREVIOUS');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.health.stop();
    this.snapshot.stop();
    this.guards.closeAll();
    this.log.flush();
    await this.client.close();
  }
}

@Module({
  controllers: [RegistryHandlers, InsightHandlers, IntakeHandlers, PluginHandlers],
  providers: [
    { provide: UpstreamClient, useFactory: () => new UpstreamClient() },
    { provide: OAuth2TokenCache, inject: [UpstreamClient], useFactory: (client: UpstreamClient) => new OAuth2TokenCache(client) },
    { provide: ApiCatalog, useFactory: () => new ApiCatalog() },
    { provide: IntegrationLog, inject: [RUNTIME], useFactory: (runtime: Runtime) => new IntegrationLog(runtime.bus) },
    { provide: RegistryRepository, inject: [RUNTIME], useFactory: (runtime: Runtime) => new RegistryRepository(runtime.bucket(BUCKETS.integrations)) },
    {
      provide: RegistrySnapshot,
      inject: [RUNTIME],
      useFactory: async (runtime: Runtime) => {
        const snapshot = new RegistrySnapshot(runtime.bucket(BUCKETS.integrations));
        await snapshot.start();
        return snapshot;
      },
    },
    {
      provide: RegistryService,
      inject: [RUNTIME, RegistryRepository, ApiCatalog, PluginRegistration],
      useFactory: (runtime: Runtime, repository: RegistryRepository, catalog: ApiCatalog, plugins: PluginRegistration) =>
        new RegistryService({
          repository,
          secrets: SecretBox.fromKeys(runtime.config.secretKeys),
          publish: (subject, data) => runtime.bus.publish(subject, data),
          checkConfig: async (type, config) => {
            if (type === 'openapi') await catalog.load(config);
            // The gateway's connect-time guard is what protects deliveries; this refuses a blocked receiver early, by name.
            if (type === 'webhook' && typeof config.url === 'string') {
              await assertUrlAllowed(config.url, runtime.config.outboundPolicy, { allowUnresolved: true }).catch((err: AppError) => {
                throw new AppError('VALIDATION', `config.url: ${err.message}`, { field: 'config.url' });
              });
            }
          },
          prepareConfig: async (type, config, target) => (type === 'plugin' ? plugins.prepare(config, target) : { config }),
        }),
    },
    { provide: CallTelemetry, inject: [RUNTIME, IntegrationLog], useFactory: (runtime: Runtime, log: IntegrationLog) => new CallTelemetry(runtime.registry, runtime.bus, log) },
    {
      provide: IntegrationGuards,
      inject: [RUNTIME, CallTelemetry],
      useFactory: (runtime: Runtime, telemetry: CallTelemetry) =>
        new IntegrationGuards({
          metrics: createBreakerMetrics(runtime.registry),
          countsAsFailure,
          onStateChange: (id, state) => telemetry.breakerChanged(id, state),
        }),
    },
    {
      provide: CallExecutor,
      inject: [RUNTIME, RegistrySnapshot, RegistryRepository, RegistryService, ApiCatalog, UpstreamClient, OAuth2TokenCache, IntegrationGuards, CallTelemetry, PluginCalls],
      useFactory: (
        runtime: Runtime,
        snapshot: RegistrySnapshot,
        repository: RegistryRepository,
        registry: RegistryService,
        catalog: ApiCatalog,
        client: UpstreamClient,
        tokens: OAuth2TokenCache,
        guards: IntegrationGuards,
        telemetry: CallTelemetry,
        plugins: PluginCalls,
      ) => {
        const executor = new CallExecutor({
          lookup: async (id) => snapshot.get(id) ?? repository.get(id),
          reveal: (stored) => registry.reveal(stored.record),
          catalog,
          validator: new ParamValidator(),
          client,
          tokens,
          guards,
          telemetry,
          defaultTimeoutMs: runtime.config.upstreamTimeoutMs,
          plugins,
        });
        registerExecuteHandler(runtime, executor);
        return executor;
      },
    },
    {
      provide: HealthProber,
      inject: [RUNTIME, RegistryService, ApiCatalog, UpstreamClient, OAuth2TokenCache],
      useFactory: (runtime: Runtime, registry: RegistryService, catalog: ApiCatalog, client: UpstreamClient, tokens: OAuth2TokenCache) =>
        new HealthProber({ reveal: (stored) => registry.reveal(stored.record), catalog, client, tokens, timeoutMs: runtime.config.upstreamTimeoutMs }),
    },
    {
      provide: HealthMonitor,
      inject: [RUNTIME, RegistrySnapshot, HealthProber, RegistryService, IntegrationLog],
      useFactory: (runtime: Runtime, snapshot: RegistrySnapshot, prober: HealthProber, registry: RegistryService, log: IntegrationLog) =>
        new HealthMonitor({
          snapshot,
          prober,
          leases: runtime.bucket(BUCKETS.healthLeases),
          setHealth: (id, health) => registry.setHealth(id, health),
          publish: (subject, data) => runtime.bus.publish(subject, data),
          log,
          logger: runtime.logger,
        }),
    },
    {
      provide: ModuleIntake,
      inject: [RUNTIME, RegistryService, RegistrySnapshot, RegistryRepository],
      useFactory: (runtime: Runtime, registry: RegistryService, snapshot: RegistrySnapshot, repository: RegistryRepository) =>
        new ModuleIntake({
          registry,
          all: () => snapshot.all(),
          byName: (name) => repository.findByName(name),
          publish: (subject, data) => runtime.bus.publish(subject, data),
          logger: runtime.logger,
        }),
    },
    HubLifecycle,
    ...pluginProviders,
  ],
})
export class HubModule {}
