import {
  PIPELINE_EVENTS,
  type PipelineDataWrittenEvent,
  type PipelineExecutionEvent,
  type PipelineTrigger,
  type RunOutcome,
  type RunSummary,
} from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import { retry } from '@autoweave/resilience';
import type { Item, SourceBatch, SourceCursor, StorageAdapter, StorageAdapterFactory, StorageContext } from '@autoweave/storage';
import { STAGES, type PipelineMetrics } from '../metrics/pipeline-metrics.js';
import type { PipelineRecord } from '../pipelines/pipeline-record.js';
import { scrub, StageSecrets } from '../pipelines/stage-secrets.js';
import type { CheckpointStore } from './checkpoint-store.js';
import type { DeadLetterQueue } from './dead-letters.js';
import { ItemChain, type ChainResult } from './item-chain.js';
import type { Lease } from './run-lease.js';
import { addTotals, runTotals, type RunStatusStore } from './run-status.js';

export interface RunDeps {
  factory: StorageAdapterFactory;
  storage: StorageContext;
  checkpoints: CheckpointStore;
  deadLetters: DeadLetterQueue;
  status: RunStatusStore;
  metrics: PipelineMetrics;
  publish: (subject: string, data: unknown) => void;
  logger: Logger;
  /** Attempts of a destination write before the run fails. */
  writeAttempts: number;
  /** This replica, as recorded in the run status. */
  owner: string;
}

export interface RunRequest {
  /** The definition with stage secrets in clear. */
  pipeline: PipelineRecord;
  runId: string;
  trigger: PipelineTrigger;
  lease: Lease;
  /** Asked after every batch: a reason (paused, deleted, shutdown) stops the run there. */
  stopReason: () => string | undefined;
}

/** The optional hook a source cursor may offer: how many items it has beyond its position. */
interface LagAware {
  lag?: () => Promise<number | undefined>;
}

/** Least time between two progress writes to the run status (the last one is always written). */
const PROGRESS_EVERY_MS = 500;

/**
 * One run of a pipeline, holding its lease:
 *
 *   cursor = source.createCursor(config, {batchSize, position: checkpoint})
 *   for each batch: processors (failures -> dead letters) -> destination.writeBatch
 *                   -> confirm the lease -> checkpoint the batch's position -> pipeline.data.written
 *
 * The checkpoint moves only after the destination acknowledged the batch (and
 * the batch's dead letters are stored), so a run killed at any point resumes
 * after the last batch known to be written; destinations upsert by key, so
 * the batch that was in flight is written again without duplicates. The read
 * of batch n+1 overlaps the processing and write of batch n, and so does the
 * storing of batch n-1's checkpoint.
 */
export class PipelineRun {
  private readonly summary: RunSummary;
  private readonly name: string;
  private readonly secrets: string[];
  private batchSeconds = 0;
  private pendingCheckpoint: Promise<void> = Promise.resolve();
  private lastProgressAt = 0;

  constructor(
    private readonly deps: RunDeps,
    private readonly request: RunRequest,
  ) {
    const { pipeline } = request;
    this.name = pipeline.name;
    this.secrets = [pipeline.source, ...pipeline.processors, pipeline.destination].flatMap((s) => StageSecrets.values(s.config));
    this.summary = { runId: request.runId, trigger: request.trigger, startedAt: new Date().toISOString(), resumedFrom: null, read: 0, written: 0, failed: 0, dropped: 0, batches: 0 };
  }

  async execute(): Promise<RunSummary> {
    const { pipeline } = this.request;
    const adapters: StorageAdapter[] = [];
    let cursor: SourceCursor | undefined;
    let outcome: RunOutcome = 'completed';
    let lag: number | undefined;
    try {
      this.summary.resumedFrom = (await this.deps.checkpoints.get(pipeline.id))?.position ?? null;
      await this.recordStart();
      const source = this.deps.factory.createAdapter(pipeline.source.type, this.deps.storage);
      adapters.push(source);
      const destination = this.deps.factory.createAdapter(pipeline.destination.type, this.deps.storage);
      adapters.push(destination);
      const chain = await this.chain();
      if (!source.createCursor) throw new Error(`adapter ${pipeline.source.type} cannot be a source`);
      if (!destination.writeBatch) throw new Error(`adapter ${pipeline.destination.type} cannot be a destination`);
      cursor = await source.createCursor(pipeline.source.config, { batchSize: pipeline.batchSize, position: this.summary.resumedFrom });
      const stopped = await this.loop(cursor, chain, destination);
      await this.pendingCheckpoint;
      if (stopped) {
        outcome = 'stopped';
        this.summary.stopReason = stopped;
      } else {
        lag = await (cursor as LagAware).lag?.().catch(() => undefined);
      }
    } catch (err) {
      outcome = 'failed';
      this.summary.error = this.errorText(err);
      this.deps.logger.warn({ pipeline: pipeline.id, run: this.request.runId, err: this.summary.error }, 'pipeline run failed');
    } finally {
      await cursor?.close().catch(() => undefined);
      await Promise.all(adapters.map((a) => a.close().catch(() => undefined)));
    }
    await this.recordEnd(outcome, lag);
    return this.summary;
  }

  private async chain(): Promise<ItemChain> {
    const { pipeline } = this.request;
    const stages = await Promise.all(
      pipeline.processors.map(async (p) => ({
        type: p.type,
        fn: await this.deps.factory.createProcessor(p.type, p.config, this.deps.storage),
        context: { ...this.deps.storage, pipelineId: pipeline.id, config: p.config },
      })),
    );
    return new ItemChain(stages);
  }

  /** The batch loop; resolves to a stop reason when it ended early, else undefined. */
  private async loop(cursor: SourceCursor, chain: ItemChain, destination: StorageAdapter): Promise<string | undefined> {
    const iterator = cursor[Symbol.asyncIterator]();
    let next: Promise<IteratorResult<SourceBatch>> | undefined = iterator.next();
    try {
      while (next) {
        const result: IteratorResult<SourceBatch> = await next;
        next = undefined;
        if (result.done) return undefined;
        const reason = this.request.stopReason();
        if (reason) return reason;
        // Read ahead: the next batch comes from the source while this one is processed and written.
        next = iterator.next();
        await this.batch(result.value, chain, destination);
        if (this.request.lease.lost) return 'lease-lost';
      }
      return undefined;
    } finally {
      if (next) {
        next.catch(() => undefined);
        void iterator.return?.()?.catch(() => undefined);
      }
    }
  }

  private async batch(batch: SourceBatch, chain: ItemChain, destination: StorageAdapter): Promise<void> {
    const { pipeline, lease, runId } = this.request;
    const started = performance.now();
    const read = batch.items.length;
    const processed: ChainResult = await chain.run(batch.items);
    const deadLetters = Promise.all(
      processed.failures.map((f) =>
        this.deps.deadLetters.add({ pipelineId: pipeline.id, runId, stage: f.stage, processor: f.processor, error: scrub(f.error, this.secrets), item: f.item, attempts: 1, at: new Date().toISOString() }),
      ),
    );
    const written = processed.items.length === 0 ? 0 : await this.write(destination, processed.items);
    await deadLetters;
    // The previous checkpoint was being stored while this batch was processed and written (a round trip to the
    // KV store per batch, no longer waited for on its own); its failure ends the run here, before this one's.
    await this.pendingCheckpoint;
    // Fencing: a run that lost its lease must not move the checkpoint under another run.
    if (!(await lease.ensure())) return;
    this.checkpoint(batch, written);

    const s = this.summary;
    s.read += read;
    s.written += written;
    s.failed += processed.failures.length;
    s.dropped += processed.dropped.reduce((a, b) => a + b, 0);
    s.batches += 1;
    const seconds = (performance.now() - started) / 1000;
    this.batchSeconds += seconds;
    this.countBatch(read, written, processed, seconds);
    if (Date.now() - this.lastProgressAt >= PROGRESS_EVERY_MS) await this.recordProgress();
  }

  /**
   * Stores the batch's position, after the destination acknowledged it. The
   * write to the KV store overlaps the next batch (puts on one connection are
   * stored in order); the next checkpoint and the end of the run wait for it,
   * so a failed put fails the run. pipeline.data.written follows the stored
   * checkpoint.
   */
  private checkpoint(batch: SourceBatch, written: number): void {
    const { pipeline, runId } = this.request;
    const number = this.summary.batches + 1;
    const previous = this.pendingCheckpoint;
    const put = this.deps.checkpoints.put(pipeline.id, { position: batch.position, runId, batch: number, at: new Date().toISOString() });
    this.pendingCheckpoint = Promise.all([previous, put]).then(() => {
      if (written === 0) return;
      const event: PipelineDataWrittenEvent = { pipelineId: pipeline.id, runId, destination: pipeline.destination.type, written, batch: number, at: new Date().toISOString() };
      this.deps.publish(PIPELINE_EVENTS.dataWritten, event);
    });
    // Observed here so a failure is not unhandled before the next batch awaits it.
    this.pendingCheckpoint.catch(() => undefined);
  }

  private write(destination: StorageAdapter, items: Item[]): Promise<number> {
    const { pipeline } = this.request;
    return retry(async () => (await destination.writeBatch!(items, pipeline.destination.config)).written, {
      maxAttempts: this.deps.writeAttempts,
      initialDelayMs: 200,
      maxDelayMs: 5000,
      onRetry: (err, attempt, delayMs) =>
        this.deps.logger.warn({ pipeline: pipeline.id, attempt, delayMs, err: this.errorText(err) }, 'destination write failed; retrying'),
    });
  }

  private countBatch(read: number, written: number, processed: ChainResult, seconds: number): void {
    const { metrics } = this.deps;
    metrics.countItems(this.name, STAGES.source, 'read', read);
    this.request.pipeline.processors.forEach((p, i) => {
      metrics.countItems(this.name, p.type, 'ok', processed.passed[i] ?? 0);
      metrics.countItems(this.name, p.type, 'dropped', processed.dropped[i] ?? 0);
      metrics.countItems(this.name, p.type, 'failed', processed.failures.filter((f) => f.stage === i).length);
    });
    metrics.countItems(this.name, STAGES.destination, 'written', written);
    metrics.observeBatch(this.name, seconds);
  }

  private async recordStart(): Promise<void> {
    const { pipeline } = this.request;
    const status = await this.deps.status.read(pipeline.id);
    await this.deps.status.write({ ...status, current: { ...this.summary, owner: this.deps.owner } });
    this.lastProgressAt = Date.now();
    this.publishExecution(PIPELINE_EVENTS.executionStarted);
    this.deps.logger.info({ pipeline: pipeline.id, run: this.request.runId, trigger: this.request.trigger, resumedFrom: this.summary.resumedFrom }, 'pipeline run started');
  }

  private async recordProgress(): Promise<void> {
    this.lastProgressAt = Date.now();
    const status = await this.deps.status.read(this.request.pipeline.id);
    await this.deps.status.write({ ...status, current: { ...this.summary, owner: this.deps.owner } });
  }

  private async recordEnd(outcome: RunOutcome, lag: number | undefined): Promise<void> {
    const { pipeline, runId } = this.request;
    const finishedAt = new Date();
    Object.assign(this.summary, { outcome, finishedAt: finishedAt.toISOString(), durationMs: finishedAt.getTime() - Date.parse(this.summary.startedAt) });
    this.deps.metrics.countRun(this.name, outcome);
    if (lag !== undefined) this.deps.metrics.setLag(this.name, lag);
    try {
      const status = await this.deps.status.read(pipeline.id);
      const { current: _current, ...rest } = status;
      await this.deps.status.write({
        ...rest,
        lastRun: this.summary,
        ...(outcome === 'failed' ? { lastError: { message: this.summary.error ?? 'failed', runId, at: finishedAt.toISOString() } } : {}),
        ...(lag === undefined ? {} : { lag }),
        totals: addTotals(status.totals, runTotals(this.summary, outcome, this.batchSeconds)),
      });
    } catch (err) {
      this.deps.logger.warn({ pipeline: pipeline.id, err: (err as Error).message }, 'could not record the end of a run');
    }
    this.publishExecution(outcome === 'failed' ? PIPELINE_EVENTS.executionFailed : PIPELINE_EVENTS.executionCompleted);
    this.deps.logger.info({ pipeline: pipeline.id, run: runId, outcome, read: this.summary.read, written: this.summary.written, failed: this.summary.failed, stopReason: this.summary.stopReason }, 'pipeline run ended');
  }

  private publishExecution(subject: string): void {
    const event: PipelineExecutionEvent = { pipelineId: this.request.pipeline.id, name: this.name, run: { ...this.summary }, at: new Date().toISOString() };
    try {
      this.deps.publish(subject, event);
    } catch (err) {
      this.deps.logger.warn({ subject, err: (err as Error).message }, 'could not publish a pipeline event');
    }
  }

  /** An error as the status and events show it, secrets scrubbed (a driver may quote a connection string). */
  private errorText(err: unknown): string {
    const message = err instanceof Error ? err.message : String(err);
    return scrub(message, this.secrets).slice(0, 2000);
  }
}
