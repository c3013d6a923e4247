import { BUCKETS } from '@autoweave/contracts';
import { rewriteKvRecords } from '@autoweave/messaging';
import { redeliveryMetrics } from '@autoweave/observability';
import { SecretBox } from '@autoweave/security';
import type { ServiceRuntime } from '@autoweave/service-kit';
import { registerBuiltins, storageAdapterFactory, type StorageAdapterFactory, type StorageContext } from '@autoweave/storage';
import { Kvm, type KV } from '@nats-io/kv';
import type { PipelineWorkerConfig } from './config.js';
import { PipelineMetrics } from './metrics/pipeline-metrics.js';
import { ComponentCatalogue } from './pipelines/component-catalogue.js';
import { PipelineDefinitions } from './pipelines/pipeline-definitions.js';
import { PIPELINE_KEYS, type PipelineRecord } from './pipelines/pipeline-record.js';
import { PipelineRegistry } from './pipelines/pipeline-registry.js';
import { PipelineRepository } from './pipelines/pipeline.repository.js';
import { StageSecrets } from './pipelines/stage-secrets.js';
import { CheckpointStore } from './runs/checkpoint-store.js';
import { DeadLetterRetry } from './runs/dead-letter-retry.js';
import { DeadLetterQueue } from './runs/dead-letters.js';
import { PipelineInsight } from './runs/pipeline-insight.js';
import type { RunDeps } from './runs/pipeline-run.js';
import { RunCoordinator } from './runs/run-coordinator.js';
import { LeaseManager } from './runs/run-lease.js';
import { RunQueue } from './runs/run-queue.js';
import { RunStatusStore } from './runs/run-status.js';
import { EventTriggers } from './triggers/event-triggers.js';
import { ScheduleClock } from './triggers/schedule-clock.js';
import { Scheduler } from './triggers/scheduler.js';
import { SlotClaims } from './triggers/slot-claims.js';

export type WorkerRuntime = ServiceRuntime<PipelineWorkerConfig>;

let builtinsRegistered = false;

/** The built-in adapters and processors, registered once per process (every worker in it shares the registry). */
export function ensureBuiltins(factory: StorageAdapterFactory = storageAdapterFactory): StorageAdapterFactory {
  if (!builtinsRegistered) {
    builtinsRegistered = true;
    registerBuiltins(factory);
  }
  return factory;
}

/**
 * The pipeline worker's parts, wired: definitions, runs, triggers. Plain
 * TypeScript (the Nest module only hands these to the handlers), so another
 * module can build one and call `registry.register(definition)` in code.
 */
export class PipelineWorker {
  private constructor(
    readonly registry: PipelineRegistry,
    readonly repository: PipelineRepository,
    readonly coordinator: RunCoordinator,
    readonly insight: PipelineInsight,
    readonly deadLetters: DeadLetterQueue,
    readonly retrier: DeadLetterRetry,
    /** What the registry's adapters and processors are, with their config schemas (the same registry runs validate against). */
    readonly components: ComponentCatalogue,
    private readonly definitions: PipelineDefinitions,
    private readonly status: RunStatusStore,
    private readonly queue: RunQueue,
    private readonly scheduler: Scheduler,
    private readonly events: EventTriggers,
    /** Re-seals stage secrets sealed with a previous key (key rotation). */
    private readonly resealSecrets: () => Promise<void>,
  ) {}

  static async create(
    runtime: WorkerRuntime,
    factory: StorageAdapterFactory = ensureBuiltins(),
    /** The process's vector store and outbound policy, handed to every component (see search.providers.ts). */
    extras: Pick<StorageContext, 'vectorStore' | 'outbound'> = {},
  ): Promise<PipelineWorker> {
    const { config, logger } = runtime;
    const pipelinesKv = runtime.bucket(BUCKETS.pipelines);
    const leasesKv = await openLeaseBucket(runtime);
    runtime.health.add(`kv:${BUCKETS.pipelineLeases}`, async () => Boolean(await leasesKv.status()));

    const storage: StorageContext = { bus: runtime.bus, logger: logger.child({ component: 'storage' }), dataDir: config.dataDir, ...extras };
    const repository = new PipelineRepository(pipelinesKv);
    const definitions = new PipelineDefinitions(pipelinesKv);
    const status = new RunStatusStore(pipelinesKv);
    const queue = new RunQueue(pipelinesKv);
    const claims = new SlotClaims(pipelinesKv);
    const checkpoints = new CheckpointStore(runtime.bucket(BUCKETS.pipelineCursors));
    const deadLetters = new DeadLetterQueue(runtime.bus.nc);
    const leases = await LeaseManager.open(leasesKv, runtime.instanceId, config.leaseTtlMs, logger);
    const metrics = new PipelineMetrics(runtime.registry);
    const publish = (subject: string, data: unknown): void => runtime.bus.publish(subject, data);

    // The registry and the event triggers refer to each other through these hooks.
    let events: EventTriggers | undefined;
    const onSaved = async (record: PipelineRecord): Promise<void> => {
      await events?.prepare(record).catch((err: unknown) => logger.warn({ pipeline: record.id, err: (err as Error).message }, 'event consumer not ready yet; retrying in the background'));
    };
    const onDeleted = async (record: PipelineRecord): Promise<void> => {
      metrics.forget(record.name);
      await Promise.all([
        checkpoints.delete(record.id),
        status.delete(record.id),
        queue.clear(record.id),
        claims.delete(record.id),
        deadLetters.purge(record.id),
        events?.remove(record.id),
      ]).catch((err: unknown) => logger.warn({ pipeline: record.id, err: (err as Error).message }, 'cleanup after delete was incomplete'));
    };
    const registry = new PipelineRegistry({ repository, secrets: new StageSecrets(SecretBox.fromKeys(config.secretKeys)), factory, onSaved, onDeleted });

    const runDeps: RunDeps = {
      factory,
      storage,
      checkpoints,
      deadLetters,
      status,
      metrics,
      publish,
      logger: logger.child({ component: 'runs' }),
      writeAttempts: config.writeAttempts,
      owner: runtime.instanceId,
    };
    await Promise.all([definitions.start(), status.start(), queue.start()]);
    const coordinator = new RunCoordinator({ definitions, repository, registry, leases, queue, status, checkpoints, run: runDeps, logger, maxConcurrentRuns: config.maxConcurrentRuns });
    events = new EventTriggers({ nc: runtime.bus.nc, definitions, coordinator, debounceMs: config.eventDebounceMs, logger, redeliveries: redeliveryMetrics(runtime.registry) });
    const scheduler = new Scheduler({ definitions, coordinator, claims, clock: new ScheduleClock(), tickMs: config.tickMs, logger });
    const insight = new PipelineInsight({ repository, status, checkpoints, leases, deadLetters });
    const retrier = new DeadLetterRetry({ repository, registry, leases, deadLetters, factory, storage, metrics, publish, logger });
    const resealSecrets = async (): Promise<void> => {
      try {
        const { rewritten, scanned, failed } = await rewriteKvRecords<PipelineRecord>(pipelinesKv, {
          prefix: PIPELINE_KEYS.definitionPrefix,
          rewrite: (record) => registry.resealed(record),
        });
        logger[failed.length > 0 ? 'warn' : 'info']({ resealed: rewritten, scanned, failed }, 'pipeline stage secrets re-sealed with the current key');
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'could not re-seal pipeline stage secrets; they stay readable with AUTOWEAVE_SECRET_KEY_PREVIOUS');
      }
    };
    return new PipelineWorker(registry, repository, coordinator, insight, deadLetters, retrier, new ComponentCatalogue(factory), definitions, status, queue, scheduler, events, resealSecrets);
  }

  /** Starts the schedule ticks and the event consumers. */
  start(): void {
    this.scheduler.start();
    this.events.start();
    // In the background: the worker serves meanwhile (previous keys still open what is not re-sealed yet).
    void this.resealSecrets();
  }

  /** Stops triggering, lets running runs finish their batch, checkpoint and release their leases. */
  async shutdown(): Promise<void> {
    this.scheduler.stop();
    this.events.stop();
    await this.coordinator.shutdown();
    this.definitions.stop();
    this.status.stop();
    this.queue.stop();
  }
}

/**
 * The lease bucket's max_age is the lease TTL (nats-server 2.9 has no per-key
 * TTL), so it is created here from the configured TTL rather than from the
 * service definition's static bucket list.
 */
async function openLeaseBucket(runtime: WorkerRuntime): Promise<KV> {
  return new Kvm(runtime.bus.nc).create(BUCKETS.pipelineLeases, { history: 1, ttl: runtime.config.leaseTtlMs, replicas: runtime.config.jetstreamReplicas });
}
