import { KvSnapshot, type KV } from '@autoweave/messaging';
import { PIPELINE_KEYS, type PipelineRecord, type StoredPipeline } from './pipeline-record.js';

/**
 * Every replica's in-memory view of the pipeline definitions, kept current
 * by a KV watch: schedules are computed from it, and a running run learns
 * from it within a watch delivery that its pipeline was paused or deleted.
 */
export class PipelineDefinitions {
  private readonly snapshot: KvSnapshot<StoredPipeline>;

  constructor(kv: KV) {
    this.snapshot = new KvSnapshot<StoredPipeline>(kv, PIPELINE_KEYS.definitionPrefix, (value, revision) => ({ record: value as PipelineRecord, revision }));
  }

  start(): Promise<void> {
    return this.snapshot.start();
  }

  stop(): void {
    this.snapshot.stop();
  }

  get(id: string): StoredPipeline | undefined {
    return this.snapshot.get(id);
  }

  all(): StoredPipeline[] {
    return this.snapshot.all();
  }

  onChange(listener: (id: string, stored: StoredPipeline | undefined) => void): () => void {
    return this.snapshot.onChange(listener);
  }
}
