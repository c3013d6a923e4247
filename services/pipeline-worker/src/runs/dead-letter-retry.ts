import { randomUUID } from 'node:crypto';
import { AppError, PIPELINE_EVENTS, type DeadLetter, type PipelineDataWrittenEvent, type RetryDeadLettersResult } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import type { StorageAdapter, StorageAdapterFactory, StorageContext } from '@autoweave/storage';
import { STAGES, type PipelineMetrics } from '../metrics/pipeline-metrics.js';
import type { PipelineRegistry } from '../pipelines/pipeline-registry.js';
import type { PipelineRepository } from '../pipelines/pipeline.repository.js';
import { scrub, StageSecrets } from '../pipelines/stage-secrets.js';
import type { DeadLetterQueue } from './dead-letters.js';
import { ItemChain } from './item-chain.js';
import type { LeaseManager } from './run-lease.js';

export interface DeadLetterRetryDeps {
  repository: PipelineRepository;
  registry: PipelineRegistry;
  leases: LeaseManager;
  deadLetters: DeadLetterQueue;
  factory: StorageAdapterFactory;
  storage: StorageContext;
  metrics: PipelineMetrics;
  publish: (subject: string, data: unknown) => void;
  logger: Logger;
}

/** Dead letters one retry takes by default. */
const DEFAULT_LIMIT = 1000;

/**
 * Processes a pipeline's dead letters again with its current definition
 * (processors, then the destination), under the pipeline's lease so no run
 * writes at the same time. An entry that passes leaves the DLQ once the
 * destination acknowledged it; one that fails again is put back with the
 * new error and its attempts counted.
 */
export class DeadLetterRetry {
  constructor(private readonly deps: DeadLetterRetryDeps) {}

  async retry(pipelineId: string, options: { limit?: number; seqs?: number[] } = {}): Promise<RetryDeadLettersResult> {
    const stored = await this.deps.repository.require(pipelineId);
    const lease = await this.deps.leases.acquire(pipelineId, `retry-${randomUUID()}`);
    if (!lease) throw new AppError('CONFLICT', `pipeline ${stored.record.name} is running; retry its dead letters when the run ended`, { id: pipelineId, state: 'running' });
    const adapters: StorageAdapter[] = [];
    try {
      const pipeline = this.deps.registry.open(stored.record);
      const secrets = [pipeline.source, ...pipeline.processors, pipeline.destination].flatMap((s) => StageSecrets.values(s.config));
      const wanted = options.seqs ? new Set(options.seqs) : undefined;
      const limit = options.limit ?? (wanted ? wanted.size : DEFAULT_LIMIT);
      const listed = await this.deps.deadLetters.list(pipelineId, wanted ? 10_000 : limit);
      const entries = (wanted ? listed.filter((e) => wanted.has(e.seq)) : listed).slice(0, limit);
      let succeeded = 0;
      let failed = 0;
      if (entries.length > 0) {
        const destination = this.deps.factory.createAdapter(pipeline.destination.type, this.deps.storage);
        adapters.push(destination);
        const chain = new ItemChain(
          await Promise.all(
            pipeline.processors.map(async (p) => ({
              type: p.type,
              fn: await this.deps.factory.createProcessor(p.type, p.config, this.deps.storage),
              context: { ...this.deps.storage, pipelineId, config: p.config },
            })),
          ),
        );
        for (let start = 0; start < entries.length; start += pipeline.batchSize) {
          const chunk = entries.slice(start, start + pipeline.batchSize);
          const byItem = new Map(chunk.map((e) => [e.item, e] as const));
          const result = await chain.run(chunk.map((e) => e.item));
          const written = result.items.length === 0 ? 0 : (await destination.writeBatch!(result.items, pipeline.destination.config)).written;
          if (!(await lease.confirm())) throw new AppError('CONFLICT', 'another run took the pipeline during the retry; retry again later');
          const failedEntries = new Set<DeadLetter>();
          for (const failure of result.failures) {
            const entry = byItem.get(failure.item)!;
            failedEntries.add(entry);
            await this.deps.deadLetters.add({
              pipelineId,
              runId: entry.runId,
              stage: failure.stage,
              processor: failure.processor,
              error: scrub(failure.error, secrets),
              item: entry.item,
              attempts: entry.attempts + 1,
              at: new Date().toISOString(),
            });
          }
          for (const entry of chunk) await this.deps.deadLetters.remove(entry.seq);
          failed += failedEntries.size;
          succeeded += chunk.length - failedEntries.size;
          this.deps.metrics.countItems(stored.record.name, STAGES.destination, 'written', written);
          if (written > 0) {
            const event: PipelineDataWrittenEvent = { pipelineId, runId: lease.runId, destination: pipeline.destination.type, written, batch: start / pipeline.batchSize + 1, at: new Date().toISOString() };
            this.deps.publish(PIPELINE_EVENTS.dataWritten, event);
          }
        }
      }
      const remaining = await this.deps.deadLetters.count(pipelineId);
      this.deps.logger.info({ pipeline: pipelineId, retried: entries.length, succeeded, failed, remaining }, 'dead letters retried');
      return { pipelineId, retried: entries.length, succeeded, failed, remaining };
    } finally {
      await Promise.all(adapters.map((a) => a.close().catch(() => undefined)));
      await lease.release();
    }
  }
}
