import type { KV } from '@autoweave/messaging';
import { PIPELINE_KEYS } from '../pipelines/pipeline-record.js';

/**
 * Schedule slots claimed under `t.<id>` in the `pipelines` bucket: every
 * replica ticks, and for each due slot exactly one of them (the one whose
 * compare-and-set moves the key to that slot) starts the run. The value is
 * `<schedule>@<slot>`: a changed schedule starts counting afresh.
 */
export class SlotClaims {
  constructor(private readonly kv: KV) {}

  /** True for exactly one caller per (pipeline, schedule, slot) across replicas. */
  async claim(pipelineId: string, schedule: string, slot: number): Promise<boolean> {
    const key = PIPELINE_KEYS.slot(pipelineId);
    const value = `${schedule}@${slot}`;
    try {
      const entry = await this.kv.get(key);
      if (entry && entry.operation === 'PUT' && entry.length > 0) {
        const [claimedSchedule, claimedSlot] = splitClaim(entry.string());
        if (claimedSchedule === schedule && claimedSlot >= slot) return false;
        await this.kv.update(key, value, entry.revision);
      } else {
        await this.kv.create(key, value);
      }
      return true;
    } catch {
      return false; // another replica claimed it first
    }
  }

  async delete(pipelineId: string): Promise<void> {
    await this.kv.purge(PIPELINE_KEYS.slot(pipelineId));
  }
}

function splitClaim(text: string): [string, number] {
  const at = text.lastIndexOf('@');
  return at < 0 ? ['', -1] : [text.slice(0, at), Number(text.slice(at + 1))];
}
