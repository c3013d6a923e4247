import { AppError, type PipelineView } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import type { PipelineRegistry } from '../pipelines/pipeline-registry.js';
import type { RunCoordinator } from '../runs/run-coordinator.js';

/** Pipelines the worker makes for integrations, told apart by `metadata.kind`. */
export const MANAGED_KINDS = { endpointIndex: 'endpoint-index', databaseSync: 'database-sync' } as const;
export type ManagedKind = (typeof MANAGED_KINDS)[keyof typeof MANAGED_KINDS];

/** What a managed pipeline's metadata holds. `fingerprint` changes exactly when its definition must. */
export interface ManagedMetadata {
  managedBy: 'pipeline-worker';
  kind: ManagedKind;
  integrationId: string;
  fingerprint: string;
  [key: string]: unknown;
}

/** A pipeline definition in the seed's form (RegisterPipelineDto), secrets in clear. */
export interface ManagedDefinition {
  name: string;
  description?: string;
  source: { type: string; config: Record<string, unknown> };
  processors: Array<{ type: string; config: Record<string, unknown> }>;
  destination: { type: string; config: Record<string, unknown> };
  batchSize?: number;
  schedule: Record<string, unknown>;
  metadata: ManagedMetadata;
}

export type EnsureOutcome = 'created' | 'updated' | 'unchanged';

export type RunRequestOutcome = { state: 'started'; runId: string } | { state: 'queued' };

export function managedOf(view: PipelineView): ManagedMetadata | undefined {
  const m = view.metadata as Partial<ManagedMetadata>;
  return m.managedBy === 'pipeline-worker' && typeof m.kind === 'string' && typeof m.integrationId === 'string' ? (m as ManagedMetadata) : undefined;
}

/**
 * Creates, updates, deletes and runs the pipelines the worker manages for
 * integrations, through the worker's own pipeline registry and run
 * coordinator (so they are ordinary pipelines: validated, secrets sealed,
 * leased, visible in `pipeline.admin.*`).
 *
 * Every replica watches the same integrations and calls `ensure` for the
 * same change; the registry's name claim (create) and compare-and-set
 * (update) let exactly one of them make it, and only that one reports
 * `created`/`updated` and starts the run that follows.
 */
export class ManagedPipelines {
  constructor(
    private readonly registry: PipelineRegistry,
    private readonly coordinator: RunCoordinator,
    private readonly logger: Logger,
  ) {}

  find(name: string): Promise<PipelineView | undefined> {
    return this.registry.findByName(name);
  }

  async list(kind: ManagedKind, integrationId?: string): Promise<PipelineView[]> {
    const { items } = await this.registry.list();
    return items.filter((view) => {
      const managed = managedOf(view);
      return managed?.kind === kind && (integrationId === undefined || managed.integrationId === integrationId);
    });
  }

  async ensure(definition: ManagedDefinition): Promise<{ outcome: EnsureOutcome; pipeline: PipelineView }> {
    const existing = await this.registry.findByName(definition.name);
    if (!existing) {
      try {
        return { outcome: 'created', pipeline: await this.registry.register({ ...definition }) };
      } catch (err) {
        if (!isCode(err, 'CONFLICT')) throw err;
        const made = await this.registry.findByName(definition.name); // another replica created it just now
        if (!made) throw err;
        return { outcome: 'unchanged', pipeline: made };
      }
    }
    if (managedOf(existing)?.fingerprint === definition.metadata.fingerprint) return { outcome: 'unchanged', pipeline: existing };
    try {
      return { outcome: 'updated', pipeline: await this.registry.update(existing.id, { ...definition }, existing.revision) };
    } catch (err) {
      if (!isCode(err, 'CONFLICT')) throw err;
      return { outcome: 'unchanged', pipeline: existing }; // another replica updated it first
    }
  }

  /** Deletes a pipeline; one that is already gone is fine. */
  async remove(pipeline: PipelineView): Promise<void> {
    try {
      await this.registry.delete(pipeline.id);
      this.logger.info({ pipeline: pipeline.id, name: pipeline.name }, 'managed pipeline removed');
    } catch (err) {
      if (!isCode(err, 'NOT_FOUND') && !isCode(err, 'CONFLICT')) throw err;
    }
  }

  /**
   * Starts a run now. A pipeline that is running gets one more run after it
   * when `queueIfBusy` (its definition changed, the running run reads the old
   * one); otherwise CONFLICT is passed on.
   */
  async run(pipelineId: string, { queueIfBusy }: { queueIfBusy: boolean }): Promise<RunRequestOutcome> {
    try {
      const { runId } = await this.coordinator.execute(pipelineId);
      return { state: 'started', runId };
    } catch (err) {
      const running = isCode(err, 'CONFLICT') && (err as AppError & { details?: { state?: string } }).details?.state === 'running';
      if (!running || !queueIfBusy) throw err;
      await this.coordinator.request(pipelineId, 'manual');
      return { state: 'queued' };
    }
  }

  /**
   * After a definition was saved: runs it (or queues a run behind the one in
   * progress). A pipeline an operator paused is left alone (undefined): it
   * runs again when it is resumed or executed.
   */
  async runSaved(pipelineId: string): Promise<RunRequestOutcome | undefined> {
    try {
      return await this.run(pipelineId, { queueIfBusy: true });
    } catch (err) {
      const paused = isCode(err, 'CONFLICT') && (err as AppError & { details?: { state?: string } }).details?.state === 'paused';
      if (!paused) throw err;
      this.logger.info({ pipeline: pipelineId }, 'managed pipeline changed while paused; it runs when resumed');
      return undefined;
    }
  }

  /** Waits (up to `timeoutMs`) until this replica runs nothing of the pipeline, e.g. after deleting it. */
  async settled(pipelineId: string, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.coordinator.activeRunId(pipelineId) !== undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  }
}

export function isCode(err: unknown, code: string): boolean {
  return err instanceof AppError && err.code === code;
}
