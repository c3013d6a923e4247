import type { PipelineTrigger } from '@autoweave/contracts';
import { KvSnapshot, type KV } from '@autoweave/messaging';
import { PIPELINE_KEYS } from '../pipelines/pipeline-record.js';
import { isWrongRevision } from '../pipelines/pipeline.repository.js';

export interface QueuedRun {
  pipelineId: string;
  trigger: PipelineTrigger;
  at: string;
}

const QUEUED_PREFIX = 'q.';

/**
 * "Run this pipeline (again)": a flag under `q.<id>` in the `pipelines`
 * bucket, set when a trigger (an event, a resume, a shutdown that cut a run
 * short) finds the pipeline busy or wants any replica to pick it up. Many
 * requests while a run is busy coalesce into one flag, hence one more run.
 * Whoever takes the flag (compare-and-set delete) runs it.
 */
export class RunQueue {
  private readonly snapshot: KvSnapshot<QueuedRun>;

  constructor(private readonly kv: KV) {
    this.snapshot = new KvSnapshot<QueuedRun>(kv, QUEUED_PREFIX, (value) => value as QueuedRun);
  }

  start(): Promise<void> {
    return this.snapshot.start();
  }

  stop(): void {
    this.snapshot.stop();
  }

  /** Queued runs, from the watched snapshot. */
  queued(): QueuedRun[] {
    return this.snapshot.all();
  }

  async request(pipelineId: string, trigger: PipelineTrigger): Promise<void> {
    const value: QueuedRun = { pipelineId, trigger, at: new Date().toISOString() };
    await this.kv.put(PIPELINE_KEYS.queued(pipelineId), JSON.stringify(value));
  }

  /** Takes the flag if it is set; only one caller gets it. */
  async take(pipelineId: string): Promise<QueuedRun | undefined> {
    const entry = await this.kv.get(PIPELINE_KEYS.queued(pipelineId));
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
    try {
      await this.kv.delete(PIPELINE_KEYS.queued(pipelineId), { previousSeq: entry.revision });
      return entry.json<QueuedRun>();
    } catch (err) {
      if (isWrongRevision(err)) return undefined;
      throw err;
    }
  }

  async clear(pipelineId: string): Promise<void> {
    await this.kv.purge(PIPELINE_KEYS.queued(pipelineId));
  }
}
