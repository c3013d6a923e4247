import { randomUUID } from 'node:crypto';
import {
  AppError,
  RegisterPipelineDto,
  validateDto,
  type PipelineList,
  type PipelineStage,
  type PipelineView,
} from '@autoweave/contracts';
import type { StorageAdapterFactory } from '@autoweave/storage';
import { toView, type PipelineRecord, type StoredPipeline } from './pipeline-record.js';
import type { PipelineRepository } from './pipeline.repository.js';
import { batchSizeOf, validateSchedule, validateStages } from './pipeline-validation.js';
import { StageSecrets } from './stage-secrets.js';

/** The definition a caller gives: the seed's form (RegisterPipelineDto), as a plain object. */
export type PipelineInput = Record<string, unknown> | RegisterPipelineDto;

export interface PipelineRegistryDeps {
  repository: PipelineRepository;
  secrets: StageSecrets;
  factory: StorageAdapterFactory;
  /** After a definition was stored (created or replaced): prepares what its schedule needs. */
  onSaved?: (record: PipelineRecord) => Promise<void>;
  /** Cleans up what a deleted pipeline leaves behind (checkpoint, status, dead letters, consumers). */
  onDeleted?: (record: PipelineRecord) => Promise<void>;
  now?: () => Date;
}

/** Attempts of an unconditional read-modify-write before giving up with CONFLICT. */
const UNCONDITIONAL_ATTEMPTS = 5;

/**
 * Pipeline definitions: validation (the DTO, then every stage against the
 * component registry), secrets sealed on write and masked on read,
 * optimistic concurrency. Plain TypeScript: the NATS handlers call it, and so
 * can any module that creates pipelines in code (a database integration's
 * sync, say) with `register(definition)`.
 */
export class PipelineRegistry {
  private readonly now: () => Date;

  constructor(private readonly deps: PipelineRegistryDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async register(input: PipelineInput): Promise<PipelineView> {
    const dto = await validateDto(RegisterPipelineDto, input);
    const at = this.now().toISOString();
    const record: PipelineRecord = {
      id: randomUUID(),
      name: dto.name.trim(),
      ...(dto.description === undefined ? {} : { description: dto.description }),
      ...this.sealStages(this.definitionOf(dto)),
      batchSize: batchSizeOf(dto.batchSize),
      schedule: validateSchedule(dto.schedule),
      enabled: dto.enabled ?? true,
      paused: false,
      metadata: dto.metadata ?? {},
      createdAt: at,
      updatedAt: at,
    };
    const stored = await this.deps.repository.create(record);
    await this.deps.onSaved?.(stored.record);
    return this.view(stored);
  }

  /**
   * Replaces a definition (same name). Secrets sent back as "***" keep their
   * stored value. With `revision`, only if the pipeline is still at it.
   */
  async update(id: string, input: PipelineInput, revision?: number): Promise<PipelineView> {
    const dto = await validateDto(RegisterPipelineDto, input);
    const stored = await this.modify(id, revision, (current) => {
        if (dto.name.trim().toLowerCase() !== current.name.toLowerCase()) {
          throw new AppError('VALIDATION', `name cannot change (the pipeline is "${current.name}")`, { field: 'name' });
        }
        const open = this.open(current);
        const withSecrets = {
          source: { ...dto.source, config: StageSecrets.restoreMasked(dto.source.config ?? {}, sameType(open.source, dto.source.type), 'source.config') },
          processors: (dto.processors ?? []).map((p, i) => ({
            ...p,
            config: StageSecrets.restoreMasked(p.config ?? {}, sameType(open.processors[i], p.type), `processors.${i}.config`),
          })),
          destination: {
            ...dto.destination,
            config: StageSecrets.restoreMasked(dto.destination.config ?? {}, sameType(open.destination, dto.destination.type), 'destination.config'),
          },
        };
        return {
          ...current,
          ...(dto.description === undefined ? {} : { description: dto.description }),
          ...this.sealStages(validateStages(this.deps.factory, withSecrets)),
          batchSize: batchSizeOf(dto.batchSize),
          schedule: validateSchedule(dto.schedule),
          enabled: dto.enabled ?? current.enabled,
          metadata: dto.metadata ?? current.metadata,
        };
      });
    await this.deps.onSaved?.(stored.record);
    return this.view(stored);
  }

  async get(id: string): Promise<PipelineView> {
    return this.view(await this.deps.repository.require(id));
  }

  async findByName(name: string): Promise<PipelineView | undefined> {
    const stored = await this.deps.repository.findByName(name);
    return stored ? this.view(stored) : undefined;
  }

  async list(): Promise<PipelineList> {
    const items = (await this.deps.repository.list()).sort((a, b) => a.record.name.localeCompare(b.record.name)).map((s) => this.view(s));
    return { items, total: items.length };
  }

  async setPaused(id: string, paused: boolean): Promise<PipelineView> {
    return this.view(await this.modify(id, undefined, (current) => ({ ...current, paused })));
  }

  async delete(id: string): Promise<{ id: string; deleted: true }> {
    const stored = await this.deps.repository.require(id);
    await this.deps.repository.delete(stored);
    await this.deps.onDeleted?.(stored.record);
    return { id, deleted: true };
  }

  /** The record with stage secrets in clear, for a run (never for replies). */
  open(record: PipelineRecord): PipelineRecord {
    const stage = (s: PipelineStage): PipelineStage => ({ type: s.type, config: this.deps.secrets.open(s.config) });
    return { ...record, source: stage(record.source), processors: record.processors.map(stage), destination: stage(record.destination) };
  }

  /** The record with stage secrets sealed by a previous key sealed with the current one; undefined when none was (key rotation). */
  resealed(record: PipelineRecord): PipelineRecord | undefined {
    let changed = false;
    const stage = (s: PipelineStage): PipelineStage => {
      const config = this.deps.secrets.reseal(s.config);
      if (config === undefined) return s;
      changed = true;
      return { type: s.type, config };
    };
    const next = { ...record, source: stage(record.source), processors: record.processors.map(stage), destination: stage(record.destination) };
    return changed ? next : undefined;
  }

  view(stored: StoredPipeline): PipelineView {
    return toView(stored, StageSecrets.mask);
  }

  private definitionOf(dto: RegisterPipelineDto): { source: PipelineStage; processors: PipelineStage[]; destination: PipelineStage } {
    return validateStages(this.deps.factory, dto);
  }

  private sealStages(stages: { source: PipelineStage; processors: PipelineStage[]; destination: PipelineStage }) {
    const seal = (s: PipelineStage): PipelineStage => ({ type: s.type, config: this.deps.secrets.seal(s.config) });
    return { source: seal(stages.source), processors: stages.processors.map(seal), destination: seal(stages.destination) };
  }

  /** Read-modify-write under compare-and-set (see the hub's registry for the same pattern). */
  private async modify(id: string, expectedRevision: number | undefined, change: (current: PipelineRecord) => PipelineRecord): Promise<StoredPipeline> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.deps.repository.require(id);
      if (expectedRevision !== undefined && current.revision !== expectedRevision) {
        throw new AppError('CONFLICT', `pipeline ${id} is at revision ${current.revision}, not ${expectedRevision}; read it again`, { id, revision: current.revision });
      }
      const next = { ...change(current.record), updatedAt: this.now().toISOString() };
      try {
        return await this.deps.repository.update(next, current.revision);
      } catch (err) {
        const retry = expectedRevision === undefined && err instanceof AppError && err.code === 'CONFLICT' && attempt < UNCONDITIONAL_ATTEMPTS;
        if (!retry) throw err;
      }
    }
  }
}

/** A stored stage's config, when the stage at that place keeps its type (secrets carry over only then). */
function sameType(stage: PipelineStage | undefined, type: string): Record<string, unknown> | undefined {
  return stage && stage.type === type ? stage.config : undefined;
}
