import type { PipelineStage, PipelineView } from '@autoweave/contracts';

/**
 * A pipeline as stored under `p.<id>` in the `pipelines` bucket. Secret
 * fields of stage configs are sealed (see stage-secrets.ts); `paused` is the
 * operator's switch, `enabled` the definition's.
 */
export type PipelineRecord = Omit<PipelineView, 'revision'>;

export interface StoredPipeline {
  record: PipelineRecord;
  revision: number;
}

/**
 * Keys of the `pipelines` bucket. Definitions, name claims, run status,
 * queued-run flags and schedule slot claims of one pipeline live side by
 * side, each under its own prefix so a watch can follow one kind.
 */
export const PIPELINE_KEYS = {
  definitionPrefix: 'p.',
  definition: (id: string): string => `p.${id}`,
  name: (hash: string): string => `n.${hash}`,
  status: (id: string): string => `s.${id}`,
  queued: (id: string): string => `q.${id}`,
  slot: (id: string): string => `t.${id}`,
} as const;

export function toView(stored: StoredPipeline, mask: (config: Record<string, unknown>) => Record<string, unknown>): PipelineView {
  const { record } = stored;
  const stage = (s: PipelineStage): PipelineStage => ({ type: s.type, config: mask(s.config) });
  return {
    id: record.id,
    name: record.name,
    ...(record.description === undefined ? {} : { description: record.description }),
    source: stage(record.source),
    processors: record.processors.map(stage),
    destination: stage(record.destination),
    batchSize: record.batchSize,
    schedule: record.schedule,
    enabled: record.enabled,
    paused: record.paused,
    metadata: record.metadata,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    revision: stored.revision,
  };
}
