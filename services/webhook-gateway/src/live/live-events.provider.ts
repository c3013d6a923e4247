import { RUNTIME, type ServiceRuntime } from '@autoweave/service-kit';
import type { FactoryProvider } from '@nestjs/common';
import { ApiKeyRegistry } from '../auth/api-key-registry.js';
import type { GatewayConfig } from '../config.js';
import { LiveEvents } from './live-events.js';

/** The gateway module's provider of the WebSocket API; http-app.ts attaches it to the HTTP server. */
export const liveEventsProvider: FactoryProvider<LiveEvents> = {
  provide: LiveEvents,
  inject: [RUNTIME, ApiKeyRegistry],
  useFactory: (runtime: ServiceRuntime<GatewayConfig>, keys: ApiKeyRegistry) =>
    new LiveEvents({ nc: runtime.bus.nc, keys, config: runtime.config.live, logger: runtime.logger, registry: runtime.registry }),
};
