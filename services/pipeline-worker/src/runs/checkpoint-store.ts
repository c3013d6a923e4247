import type { KV } from '@autoweave/messaging';
import type { CursorPosition } from '@autoweave/storage';

/** A pipeline's checkpoint in `pipeline_cursors`: where its source has been read and written up to. */
export interface Checkpoint {
  position: CursorPosition;
  runId: string;
  /** Batches the run had checkpointed when this was written. */
  batch: number;
  at: string;
}

/**
 * The `pipeline_cursors` bucket, one key per pipeline. A run writes the
 * position of a batch here only after the destination acknowledged that
 * batch, so a run that dies resumes after the last batch known to be written.
 */
export class CheckpointStore {
  constructor(private readonly kv: KV) {}

  async get(pipelineId: string): Promise<Checkpoint | undefined> {
    const entry = await this.kv.get(pipelineId);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
    return entry.json<Checkpoint>();
  }

  async put(pipelineId: string, checkpoint: Checkpoint): Promise<void> {
    await this.kv.put(pipelineId, JSON.stringify(checkpoint));
  }

  async delete(pipelineId: string): Promise<void> {
    await this.kv.purge(pipelineId);
  }
}
