import { BUCKETS } from '@autoweave/contracts';
import { RUNTIME, type ServiceRuntime } from '@autoweave/service-kit';
import { Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Announcer } from './announcer.js';
import { ManifestFilesChannel } from './channels/files/manifest-files.channel.js';
import { PluginFolderChannel } from './channels/files/plugin-folder.channel.js';
import { NatsMicroChannel } from './channels/nats-micro/nats-micro.channel.js';
import { ChannelRegistry } from './channels/registry.js';
import { ServiceRegistrationChannel } from './channels/services/service-registration.channel.js';
import { ServiceStore } from './channels/services/service-store.js';
import type { DiscoveryConfig } from './config.js';
import { DiscoveryHandlers } from './handlers/discovery.handlers.js';
import { Scanner } from './scanner.js';

type Runtime = ServiceRuntime<DiscoveryConfig>;

/** Starts the channels and the periodic scan once the bus handlers are up; stops them on shutdown. */
class DiscoveryLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(Scanner) private readonly scanner: Scanner) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.scanner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.scanner.stop();
  }
}

/**
 * Discovery: finds modules through its channels (channels/: services, nats-micro, files) and
 * announces them as `integration.module.discovered` (announcer.ts). Scanner runs the enabled
 * channels periodically and on `discovery.scan` (handlers/discovery.handlers.ts).
 */
@Module({
  controllers: [DiscoveryHandlers],
  providers: [
    { provide: Announcer, inject: [RUNTIME], useFactory: (runtime: Runtime) => new Announcer((subject, data) => runtime.bus.publish(subject, data)) },
    {
      provide: ServiceRegistrationChannel,
      inject: [RUNTIME],
      useFactory: (runtime: Runtime) => {
        const c = runtime.config;
        return new ServiceRegistrationChannel({
          store: new ServiceStore(runtime.bucket(BUCKETS.services)),
          logger: runtime.logger,
          probePaths: c.probePaths,
          probeTimeoutMs: c.probeTimeoutMs,
          ...(c.serviceTtlMs === undefined ? {} : { ttlMs: c.serviceTtlMs }),
          defaultTtlMs: c.defaultServiceTtlMs,
          probing: c.channels.includes('openapi-probe'),
        });
      },
    },
    {
      provide: ChannelRegistry,
      inject: [RUNTIME, ServiceRegistrationChannel],
      useFactory: (runtime: Runtime, services: ServiceRegistrationChannel) => {
        const c = runtime.config;
        const filesLogger = { warn: (m: string) => runtime.logger.warn(m), debug: (m: string) => runtime.logger.debug(m) };
        const registry = new ChannelRegistry(c.channels)
          .register(services)
          .register(new NatsMicroChannel({ nc: runtime.bus.nc, logger: runtime.logger, waitMs: c.microWaitMs, specTimeoutMs: c.probeTimeoutMs }));
        // The periodic scan re-reads the folders; the channels' own watchers announce changes in between.
        if (c.manifestDirs.length > 0) registry.register(new ManifestFilesChannel({ dirs: c.manifestDirs, rescanIntervalMs: 0, logger: filesLogger }));
        if (c.pluginsDir) registry.register(new PluginFolderChannel({ dir: c.pluginsDir, logger: filesLogger }));
        return registry;
      },
    },
    {
      provide: Scanner,
      inject: [RUNTIME, ChannelRegistry, Announcer],
      useFactory: (runtime: Runtime, channels: ChannelRegistry, announcer: Announcer) =>
        new Scanner(channels, announcer, runtime.logger, runtime.config.scanIntervalMs),
    },
    DiscoveryLifecycle,
  ],
})
export class DiscoveryModule {}
