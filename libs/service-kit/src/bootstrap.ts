import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { STREAMS, type BucketName, type StreamSpec } from '@autoweave/contracts';
import { Bus, connectNats, EventBus, provisionBuckets, provisionStreams, type BucketSpec, type KV } from '@autoweave/messaging';
import {
  createLogger,
  createMetricsRegistry,
  HealthChecks,
  startHealthServer,
  type HealthServer,
  type Logger,
} from '@autoweave/observability';
import { Module, type DynamicModule, type INestApplication, type INestMicroservice, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { envReader, readBaseConfig, type BaseConfig, type EnvReader } from './config.js';
import { EnvelopeExceptionFilter } from './exception-filter.js';
import { EnvelopeServer } from './envelope-server.js';
import { PinoNestLogger } from './nest-logger.js';
import type { DirectHandler, ServiceRuntime } from './runtime.js';
import { RuntimeModule } from './runtime.module.js';
import { DtoValidationPipe } from './validation-pipe.js';

export interface ServiceDefinition<C extends BaseConfig = BaseConfig> {
  /** Service name: log field, metric label, NATS connection name. */
  name: string;
  version?: string;
  pingSubject: string;
  queueGroup: string;
  defaultHealthPort: number;
  buckets?: ReadonlyArray<BucketName | BucketSpec>;
  streams?: readonly StreamSpec[];
  /** The service's root Nest module; RUNTIME is injectable everywhere in it. */
  module: Type | DynamicModule;
  /** Reads the service's own settings on top of the base ones. */
  loadConfig?: (env: EnvReader, base: BaseConfig) => C;
  /**
   * For the HTTP edge: builds the HTTP application around the root module;
   * the kit attaches the bus handlers, then calls `listen`. Without it the
   * service is a plain microservice with a small health port.
   */
  createHttpApp?: (root: DynamicModule, runtime: ServiceRuntime<C>) => Promise<HttpApp>;
}

export interface HttpApp {
  app: INestApplication;
  /** Starts accepting HTTP requests; called once the bus side is up. */
  listen(): Promise<void>;
}

export interface RunningService<C extends BaseConfig = BaseConfig> {
  runtime: ServiceRuntime<C>;
  healthPort?: number;
  app: INestApplication | INestMicroservice;
  stop(): Promise<void>;
}

/**
 * Boots a service: config, logger, metrics, NATS (with retry), JetStream
 * provisioning, the Nest app on the envelope transport, health endpoints.
 * stop() shuts down in order: stop taking messages, finish in-flight ones,
 * drain NATS.
 */
export async function runService<C extends BaseConfig>(
  def: ServiceDefinition<C>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningService<C>> {
  const reader = envReader(env);
  const base = readBaseConfig(reader, def.defaultHealthPort);
  const config = Object.freeze(def.loadConfig ? def.loadConfig(reader, base) : (base as C));
  const logger = createLogger({ service: def.name, level: config.logLevel });
  const registry = createMetricsRegistry(def.name);
  const nc = await connectNats(
    { ...config.nats, name: def.name },
    logger,
  );
  const bus = new Bus(nc, logger);
  try {
    const layout = { replicas: config.jetstreamReplicas };
    await provisionStreams(nc, def.streams ?? [STREAMS.events], logger, layout);
    const buckets = await provisionBuckets(nc, def.buckets ?? [], logger, layout);
    const directHandlers = new Map<string, DirectHandler>();
    const runtime = buildRuntime(def, config, logger, registry, bus, buckets, directHandlers);
    return await startApp(def, runtime, directHandlers);
  } catch (err) {
    await bus.drain().catch(() => undefined);
    throw err;
  }
}

function buildRuntime<C extends BaseConfig>(
  def: ServiceDefinition<C>,
  config: Readonly<C>,
  logger: Logger,
  registry: ReturnType<typeof createMetricsRegistry>,
  bus: Bus,
  buckets: Map<BucketName, KV>,
  directHandlers: Map<string, DirectHandler>,
): ServiceRuntime<C> {
  const health = new HealthChecks().add('nats', () => bus.ping());
  for (const [name, kv] of buckets) health.add(`kv:${name}`, async () => Boolean(await kv.status()));
  return {
    name: def.name,
    instanceId: randomUUID(),
    version: def.version ?? '0.1.0',
    startedAt: Date.now(),
    config,
    logger,
    registry,
    health,
    bus,
    events: new EventBus(bus),
    handleDirect(subject, handler) {
      if (directHandlers.has(subject)) throw new Error(`a direct handler for ${subject} is already registered`);
      directHandlers.set(subject, handler);
    },
    bucket(name) {
      const kv = buckets.get(name);
      if (!kv) throw new Error(`bucket ${name} was not provisioned for ${def.name}`);
      return kv;
    },
  };
}

async function startApp<C extends BaseConfig>(
  def: ServiceDefinition<C>,
  runtime: ServiceRuntime<C>,
  directHandlers: ReadonlyMap<string, DirectHandler>,
): Promise<RunningService<C>> {
  @Module({})
  class ServiceRootModule {}
  const root: DynamicModule = {
    module: ServiceRootModule,
    imports: [RuntimeModule.forRoot(runtime, def.pingSubject), def.module],
  };
  const strategy = new EnvelopeServer({
    bus: runtime.bus,
    queue: def.queueGroup,
    logger: runtime.logger,
    registry: runtime.registry,
    maxMessageBytes: runtime.config.maxMessageBytes,
    directHandlers,
  });
  const nestLogger = new PinoNestLogger(runtime.logger);
  let app: INestApplication | INestMicroservice;
  let healthServer: HealthServer | undefined;
  if (def.createHttpApp) {
    const http = await def.createHttpApp(root, runtime);
    // Deferred, so the filter and pipe below are in place when the bus handlers are wired;
    // the module init hooks are the HTTP app's to run (once), not the bus side's again.
    const micro = http.app.connectMicroservice({ strategy }, { inheritAppConfig: false, deferInitialization: true });
    (micro as INestMicroservice & { setIsInitHookCalled?(called: boolean): void }).setIsInitHookCalled?.(true);
    micro.useGlobalFilters(new EnvelopeExceptionFilter(runtime.logger));
    micro.useGlobalPipes(new DtoValidationPipe());
    await http.app.startAllMicroservices();
    await http.listen();
    app = http.app;
  } else {
    const micro = await NestFactory.createMicroservice(root, { strategy, logger: nestLogger });
    micro.useGlobalFilters(new EnvelopeExceptionFilter(runtime.logger));
    micro.useGlobalPipes(new DtoValidationPipe());
    await micro.listen();
    healthServer = await startHealthServer({ port: runtime.config.healthPort, checks: runtime.health, registry: runtime.registry });
    app = micro;
  }
  runtime.logger.info({ healthPort: healthServer?.port, instance: runtime.instanceId }, `${def.name} started`);

  let stopping: Promise<void> | undefined;
  // Not ready from the moment shutdown starts, not only once NATS is drained: a load balancer
  // polling /health/ready takes this process out of rotation while it still answers.
  runtime.health.add('serving', () => {
    if (stopping) throw new Error('shutting down');
    return true;
  });
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      const { shutdownDelayMs } = runtime.config;
      if (shutdownDelayMs > 0) {
        runtime.logger.info({ shutdownDelayMs }, `${def.name} stopping: reported not ready, still serving until balancers notice`);
        await new Promise((resolve) => setTimeout(resolve, shutdownDelayMs));
      }
      runtime.logger.info(`${def.name} stopping: finishing in-flight work`);
      // Each step logged: a shutdown that overruns its bound says where it stuck.
      await app.close();
      runtime.logger.debug('stopping: handlers and transports closed');
      await healthServer?.close();
      runtime.logger.debug('stopping: health server closed');
      await runtime.bus.drain().catch(() => undefined);
      runtime.logger.info(`${def.name} stopped`);
    })());
  return { runtime, app, healthPort: healthServer?.port, stop };
}

/**
 * The main() of a service process: runs it, stops cleanly on SIGINT/SIGTERM
 * (forcing exit after the shutdown timeout), and exits non-zero when it cannot
 * start, saying why.
 */
export async function runServiceMain<C extends BaseConfig>(def: ServiceDefinition<C>): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(usage(def));
    return;
  }
  const fallbackLogger = createLogger({ service: def.name });
  process.on('unhandledRejection', (reason) => fallbackLogger.error({ err: String(reason) }, 'unhandled rejection'));
  let running: RunningService<C>;
  try {
    running = await runService(def);
  } catch (err) {
    fallbackLogger.fatal({ err: err instanceof Error ? err.message : String(err) }, `${def.name} could not start`);
    process.exit(1);
  }
  const shutdown = (signal: string): void => {
    running.runtime.logger.info({ signal }, 'shutdown requested');
    const force = setTimeout(() => {
      running.runtime.logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, running.runtime.config.shutdownTimeoutMs);
    force.unref();
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        running.runtime.logger.error({ err: String(err) }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

function usage(def: Pick<ServiceDefinition, 'name' | 'defaultHealthPort' | 'pingSubject' | 'queueGroup'>): string {
  return [
    `usage: node dist/main.js            (the AutoWeave ${def.name} service)`,
    '',
    'Configured by environment variables only (all of them: docs/CONFIGURATION.md). The common ones:',
    '  NATS_URL                 NATS server(s), default nats://127.0.0.1:4222',
    '  LOG_LEVEL                trace|debug|info|warn|error|silent, default info',
    `  AUTOWEAVE_HEALTH_PORT    /health/live, /health/ready, /metrics; default ${def.defaultHealthPort}`,
    '  AUTOWEAVE_SHUTDOWN_TIMEOUT_MS  time to drain on SIGTERM/SIGINT, default 15000',
    '  AUTOWEAVE_SHUTDOWN_DELAY_MS    time to keep serving, reported not ready, before draining; default 0',
    '',
    `It answers ${def.pingSubject} on the bus, in queue group "${def.queueGroup}".`,
    '',
  ].join('\n');
}
