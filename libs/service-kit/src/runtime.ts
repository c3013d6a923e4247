import type { BucketName } from '@autoweave/contracts';
import type { Bus, EventBus, KV } from '@autoweave/messaging';
import type { HealthChecks, Logger, Registry } from '@autoweave/observability';
import type { BaseConfig } from './config.js';

/** Everything a service's providers get from the kit, injected with `@Inject(RUNTIME)`. */
export interface ServiceRuntime<C extends BaseConfig = BaseConfig> {
  name: string;
  instanceId: string;
  version: string;
  startedAt: number;
  config: Readonly<C>;
  logger: Logger;
  registry: Registry;
  health: HealthChecks;
  bus: Bus;
  events: EventBus;
  bucket(name: BucketName): KV;
  /**
   * Answers `subject` with `handler` directly, outside Nest's handler pipeline
   * (no pipes, guards or interceptors: the handler validates its own input).
   * For hot paths with a throughput target; call before the service listens.
   */
  handleDirect(subject: string, handler: DirectHandler): void;
}

/** A request handler on the bus without Nest: payload in, data out, AppError for failures. */
export type DirectHandler = (payload: unknown) => Promise<unknown>;

export const RUNTIME = Symbol('autoweave.runtime');
