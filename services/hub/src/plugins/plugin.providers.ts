import { BUCKETS } from '@autoweave/contracts';
import { singleMetric } from '@autoweave/observability';
import { RUNTIME, type ServiceRuntime } from '@autoweave/service-kit';
import { Inject, type OnApplicationShutdown, type OnModuleInit, type Provider } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { HubConfig } from '../config.js';
import { RegistrySnapshot } from '../registry/registry-snapshot.js';
import { RegistryService } from '../registry/registry.service.js';
import { PluginCalls } from './host/plugin-calls.js';
import { PluginHost } from './host/plugin-host.js';
import { PluginLeases } from './host/plugin-leases.js';
import { PluginRegistration } from './host/plugin-registration.js';
import { PluginStatusReporter } from './host/plugin-status-reporter.js';
import { PluginInstaller } from './install/plugin-installer.js';

type Runtime = ServiceRuntime<HubConfig>;

/** The `plugin_leases` bucket: one key per plugin integration, no history needed. */
export const PLUGIN_LEASES_BUCKET = { name: BUCKETS.pluginLeases, history: 1 } as const;

/** Starts the plugin host once the hub is up, and stops its plugins (releasing their leases) on shutdown. */
class PluginLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(PluginHost) private readonly host: PluginHost) {}

  onModuleInit(): void {
    this.host.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.host.stop();
  }
}

/** The plugin host's providers, for the hub module. */
export const pluginProviders: Provider[] = [
  {
    provide: PluginInstaller,
    inject: [RUNTIME],
    useFactory: (runtime: Runtime) => new PluginInstaller({ settings: runtime.config.plugins, policy: runtime.config.outboundPolicy, logger: runtime.logger }),
  },
  {
    provide: PluginRegistration,
    inject: [PluginInstaller, RegistrySnapshot],
    useFactory: (installer: PluginInstaller, snapshot: RegistrySnapshot) =>
      new PluginRegistration({
        installer,
        plugins: () => snapshot.all().filter((s) => s.record.type === 'plugin').map((s) => ({ id: s.record.id, name: s.record.name })),
      }),
  },
  {
    provide: PluginHost,
    inject: [RUNTIME, RegistrySnapshot, RegistryService, PluginInstaller],
    useFactory: (runtime: Runtime, snapshot: RegistrySnapshot, registry: RegistryService, installer: PluginInstaller) =>
      new PluginHost({
        settings: runtime.config.plugins,
        installer,
        snapshot,
        reveal: (stored) => registry.reveal(stored.record),
        leases: new PluginLeases(runtime.bucket(BUCKETS.pluginLeases), runtime.instanceId, runtime.config.plugins.leaseMs),
        reporter: new PluginStatusReporter({
          record: (id, status, health) => registry.setPluginStatus(id, status, health),
          publish: (subject, data) => runtime.bus.publish(subject, data),
          replica: runtime.instanceId,
          logger: runtime.logger,
        }),
        nc: runtime.bus.nc,
        events: runtime.events,
        refusals: singleMetric(runtime.registry, 'autoweave_plugin_bus_refusals_total', () =>
          new Counter({
            name: 'autoweave_plugin_bus_refusals_total',
            help: 'Plugin publish/subscribe calls refused by the plugin host (outside the plugin namespace or its declared subscriptions)',
            labelNames: ['plugin', 'kind'] as const,
            registers: [runtime.registry],
          }),
        ),
        maxMessageBytes: runtime.config.maxMessageBytes,
        logger: runtime.logger,
      }),
  },
  {
    provide: PluginCalls,
    inject: [RUNTIME, PluginHost],
    useFactory: (runtime: Runtime, host: PluginHost) => new PluginCalls({ host, bus: runtime.bus, defaultTimeoutMs: runtime.config.plugins.callTimeoutMs }),
  },
  PluginLifecycle,
];
