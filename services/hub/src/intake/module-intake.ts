import { createHash } from 'node:crypto';
import {
  AppError,
  INTEGRATION_EVENTS,
  type DiscoveredModule,
  type IntegrationFailedEvent,
} from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import type { StoredIntegration } from '../registry/integration-record.js';
import type { RegistryService } from '../registry/registry.service.js';

/** What the hub records of where a discovered integration came from (in its metadata). */
export interface DiscoveryMark {
  key: string;
  source: string;
  sourceRef: string;
  contentHash: string;
}

export interface ModuleIntakeDeps {
  registry: RegistryService;
  /** Every integration this replica knows (the registry snapshot: fast, may lag a write by moments). */
  all: () => StoredIntegration[];
  /** The integration owning a name, as the store has it now (when the snapshot may be behind). */
  byName: (name: string) => Promise<StoredIntegration | undefined>;
  publish: (subject: string, data: unknown) => void;
  logger: Logger;
}

type Outcome = 'created' | 'updated' | 'unchanged' | 'deactivated' | 'reactivated' | 'failed' | 'ignored';

/**
 * Turns `integration.module.discovered` announcements into integrations,
 * idempotently: one integration per (module name, source), found again by the
 * key kept in its metadata. Unchanged content changes nothing, changed content
 * updates the config (the registry then publishes integration.openapi.updated),
 * a module that is gone makes its integration inactive, and a failure publishes
 * integration.failed without touching anything else.
 */
export class ModuleIntake {
  constructor(private readonly deps: ModuleIntakeDeps) {}

  async accept(module: DiscoveredModule): Promise<Outcome> {
    if (module.error) return this.fail(module, module.error);
    try {
      return await this.apply(module);
    } catch (err) {
      if (err instanceof AppError && err.code !== 'INTERNAL') return this.fail(module, err.message);
      throw err;
    }
  }

  private async apply(module: DiscoveredModule, known: StoredIntegration[] = this.deps.all(), retried = false): Promise<Outcome> {
    const mark = markOf(module);
    const existing = known.find((s) => discoveryOf(s)?.key === mark.key);
    if (!module.present) {
      if (!existing || existing.record.status !== 'active') return 'ignored';
      await this.deps.registry.setStatus(existing.record.id, 'inactive');
      return 'deactivated';
    }
    if (!existing) return this.create(module, mark, retried);
    if (discoveryOf(existing)?.contentHash === mark.contentHash) {
      if (existing.record.status !== 'inactive') return 'unchanged';
      await this.deps.registry.setStatus(existing.record.id, 'active');
      return 'reactivated';
    }
    await this.deps.registry.update({
      id: existing.record.id,
      config: module.config,
      metadata: { ...existing.record.metadata, ...module.metadata, discovery: mark },
    });
    if (existing.record.status === 'inactive') await this.deps.registry.setStatus(existing.record.id, 'active');
    return 'updated';
  }

  private async create(module: DiscoveredModule, mark: DiscoveryMark, retried: boolean): Promise<Outcome> {
    try {
      await this.deps.registry.register({
        name: module.name,
        type: module.type,
        config: module.config,
        tags: ['discovered', module.source],
        metadata: {
          ...module.metadata,
          ...(module.capabilities ? { capabilities: module.capabilities } : {}),
          ...(module.subscriptions ? { subscriptions: module.subscriptions } : {}),
          discovery: mark,
        },
      });
      return 'created';
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'CONFLICT') || retried) throw err;
      // The name is taken: by this module (announced twice at once, or the snapshot is behind) -> look
      // again in the store and apply there; by another integration -> CONFLICT stays, integration.failed.
      const owner = await this.deps.byName(module.name);
      if (owner && discoveryOf(owner)?.key !== mark.key) {
        throw new AppError('CONFLICT', `the name "${module.name}" is taken by another integration (${owner.record.id})`);
      }
      return this.apply(module, owner ? [owner] : [], true);
    }
  }

  private fail(module: DiscoveredModule, reason: string): Outcome {
    const event: IntegrationFailedEvent = { name: module.name, source: module.source, sourceRef: module.sourceRef, reason, at: new Date().toISOString() };
    this.deps.publish(INTEGRATION_EVENTS.failed, event);
    this.deps.logger.warn({ module: module.name, source: module.source, reason }, 'discovered module not integrated');
    return 'failed';
  }
}

function discoveryOf(stored: StoredIntegration): Partial<DiscoveryMark> | undefined {
  return stored.record.metadata.discovery as Partial<DiscoveryMark> | undefined;
}

export function markOf(module: DiscoveredModule): DiscoveryMark {
  const key = createHash('sha256').update(`${module.source}\u0000${module.name.trim().toLowerCase()}`).digest('hex').slice(0, 24);
  return { key, source: module.source, sourceRef: module.sourceRef, contentHash: module.contentHash };
}

