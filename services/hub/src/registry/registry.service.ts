import { randomUUID } from 'node:crypto';
import {
  AppError,
  DEFAULT_SECRET_GRACE_MS,
  INTEGRATION_EVENTS,
  webhookIntegration,
  integrationType,
  integrationTypeNames,
  validateDto,
  type IntegrationList,
  type HealthState,
  type IntegrationStatus,
  type IntegrationTypeSpec,
  type IntegrationView,
  type ListIntegrationsDto,
  type PluginRuntimeStatus,
  type PreviousSecretDto,
  type RegisteredIntegration,
  type RegisterIntegrationDto,
  type RotateSecretDto,
  type RotateSecretResult,
  type UpdateIntegrationDto,
} from '@autoweave/contracts';
import { changedEvent, toView, type IntegrationRecord, type StoredIntegration } from './integration-record.js';
import type { RegistryRepository } from './registry.repository.js';
import { mapSecrets, maskedPaths, maskSecrets, sealSecretFields, type SecretBox } from '@autoweave/security';
import { newWebhookSecret, withTypeDefaults } from './type-defaults.js';

type Config = Record<string, unknown>;

export interface RegistryDeps {
  repository: RegistryRepository;
  secrets: SecretBox;
  /** Fire-and-forget event publisher (core NATS in the service, a recorder in tests). */
  publish: (subject: string, data: unknown) => void;
  /** Checks beyond the DTO that need I/O, per type (an OpenAPI document is loaded and validated). */
  checkConfig?: (type: string, config: Config) => Promise<void>;
  /**
   * Per-type work before a config is written that may change it: a plugin is
   * installed and its config pinned to what was installed. `undo` removes what
   * it made when the write then fails.
   */
  prepareConfig?: (type: string, config: Config, target: { id: string; name: string; previous?: Config }) => Promise<PreparedConfig>;
  now?: () => Date;
}

export interface PreparedConfig {
  config: Config;
  undo?: () => Promise<void>;
}

/** Secrets replaced by rotations and still in their grace period, newest first. */
const MAX_PREVIOUS_SECRETS = 5;

/** Attempts of an unconditional read-modify-write before giving up with CONFLICT. */
const UNCONDITIONAL_ATTEMPTS = 5;

/**
 * The integration registry: validation per type, secrets sealed on write and
 * masked on read, optimistic concurrency, and an event on every change.
 * Plain TypeScript over the repository; the NATS handlers are a thin layer.
 */
export class RegistryService {
  private readonly now: () => Date;

  constructor(private readonly deps: RegistryDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async register(dto: RegisterIntegrationDto): Promise<RegisteredIntegration> {
    const spec = requireType(dto.type);
    const id = randomUUID();
    const name = dto.name.trim();
    const prepared = await this.prepare(spec, await this.validateConfig(spec, withTypeDefaults(spec.type, dto.config)), { id, name });
    const config = prepared.config;
    const generatedSecret = spec.type === webhookIntegration.type && dto.config.secret === undefined ? (config.secret as string) : undefined;
    const at = this.now().toISOString();
    const record: IntegrationRecord = {
      id,
      name,
      type: spec.type,
      ...(dto.description === undefined ? {} : { description: dto.description }),
      status: 'active',
      health: 'unknown',
      config: this.seal(spec, config),
      tags: dedupe(dto.tags ?? []),
      metadata: dto.metadata ?? {},
      createdAt: at,
      updatedAt: at,
    };
    const stored = await this.deps.repository.create(record).catch(async (err: unknown) => {
      await prepared.undo?.().catch(() => undefined);
      throw err;
    });
    this.deps.publish(INTEGRATION_EVENTS.created, changedEvent(stored));
    return generatedSecret === undefined ? this.view(stored) : { ...this.view(stored), secret: generatedSecret };
  }

  /**
   * A new signing secret for a webhook integration. The replaced one stays
   * valid (the gateway signs with both and accepts both) until the grace
   * period ends, so senders and receivers can switch without a gap.
   */
  async rotateSecret({ id, graceMs = DEFAULT_SECRET_GRACE_MS }: RotateSecretDto): Promise<RotateSecretResult> {
    const secret = newWebhookSecret();
    const now = this.now();
    const expiresAt = graceMs > 0 ? new Date(now.getTime() + graceMs).toISOString() : undefined;
    await this.modify(id, undefined, async (current) => {
      if (current.type !== webhookIntegration.type) {
        throw new AppError('VALIDATION', `integration ${id} is of type ${current.type}; only webhook integrations have a signing secret`, { id });
      }
      const config = this.unseal(webhookIntegration, current.config);
      const stillValid = ((config.previousSecrets as PreviousSecretDto[] | undefined) ?? []).filter((p) => Date.parse(p.expiresAt) > now.getTime());
      const replaced = expiresAt && typeof config.secret === 'string' ? [{ secret: config.secret, expiresAt }] : [];
      const previousSecrets = [...replaced, ...stillValid].slice(0, MAX_PREVIOUS_SECRETS);
      const { previousSecrets: _dropped, ...rest } = config;
      const next = previousSecrets.length > 0 ? { ...rest, secret, previousSecrets } : { ...rest, secret };
      return { ...current, config: this.seal(webhookIntegration, await this.validateConfig(webhookIntegration, next)) };
    });
    return { id, secret, ...(expiresAt ? { previousSecretExpiresAt: expiresAt } : {}) };
  }

  async get(id: string): Promise<IntegrationView> {
    return this.view(await this.deps.repository.require(id));
  }

  async list(filter: ListIntegrationsDto): Promise<IntegrationList> {
    const all = await this.deps.repository.list();
    const items = all
      .filter(({ record }) => (filter.type === undefined || record.type === filter.type) &&
        (filter.status === undefined || record.status === filter.status) &&
        (filter.tag === undefined || record.tags.includes(filter.tag)))
      .sort((a, b) => a.record.name.localeCompare(b.record.name))
      .map((s) => this.view(s));
    return { items, total: items.length };
  }

  async update(dto: UpdateIntegrationDto): Promise<IntegrationView> {
    let specChanged = false;
    let undo: (() => Promise<void>) | undefined;
    const stored = await this.modify(dto.id, dto.revision, async (current) => {
      specChanged = dto.config !== undefined && current.type === 'openapi' &&
        JSON.stringify([dto.config.openAPISpec, dto.config.openAPIUrl]) !== JSON.stringify([current.config.openAPISpec, current.config.openAPIUrl]);
      const spec = requireType(current.type);
      let config = current.config;
      if (dto.config !== undefined) {
        const merged = await this.mergeConfig(spec, current.config, dto.config);
        const prepared = await this.prepare(spec, merged, { id: current.id, name: current.name, previous: this.unseal(spec, current.config) });
        undo = prepared.undo;
        config = this.seal(spec, prepared.config);
      }
      return {
        ...current,
        ...(dto.description === undefined ? {} : { description: dto.description }),
        ...(dto.tags === undefined ? {} : { tags: dedupe(dto.tags) }),
        ...(dto.metadata === undefined ? {} : { metadata: dto.metadata }),
        config,
      };
    }).catch(async (err: unknown) => {
      await undo?.().catch(() => undefined);
      throw err;
    });
    if (specChanged) this.deps.publish(INTEGRATION_EVENTS.openapiUpdated, changedEvent(stored));
    return this.view(stored);
  }

  setEnabled(id: string, enabled: boolean): Promise<IntegrationView> {
    return this.setStatus(id, enabled ? 'active' : 'disabled');
  }

  setStatus(id: string, status: IntegrationStatus): Promise<IntegrationView> {
    return this.modify(id, undefined, async (current) => ({ ...current, status })).then((s) => this.view(s));
  }

  async delete(id: string): Promise<{ id: string; deleted: true }> {
    const stored = await this.deps.repository.require(id);
    await this.deps.repository.delete(stored);
    this.deps.publish(INTEGRATION_EVENTS.deleted, { ...changedEvent(stored), at: this.now().toISOString() });
    return { id, deleted: true };
  }

  /** The config with secrets in clear, for the hub's own use (never for replies). */
  reveal(record: IntegrationRecord): Config {
    return this.unseal(requireType(record.type), record.config);
  }

  /**
   * The record with every secret sealed by a previous key sealed again with
   * the current one, or undefined when none was (key rotation; the caller
   * writes it back with compare-and-set). Nothing else of the record changes.
   */
  resealed(record: IntegrationRecord): IntegrationRecord | undefined {
    const spec = integrationType(record.type);
    if (!spec) return undefined;
    const box = this.deps.secrets;
    let changed = false;
    const config = mapSecrets(record.config, spec.secretFields, (value) => {
      if (!box.needsReseal(value)) return value;
      changed = true;
      return box.reseal(value);
    });
    return changed ? { ...record, config } : undefined;
  }

  /** Records the outcome of a health probe; resolves to the previous health. */
  async setHealth(id: string, health: HealthState): Promise<HealthState> {
    let previous: HealthState = 'unknown';
    await this.modify(id, undefined, async (current) => {
      previous = current.health;
      return { ...current, health };
    });
    return previous;
  }

  /**
   * Records what the plugin host reports of a plugin's process, and its
   * health, in one write; resolves to the health before it.
   */
  async setPluginStatus(id: string, plugin: PluginRuntimeStatus, health: HealthState): Promise<HealthState> {
    let previous: HealthState = 'unknown';
    await this.modify(id, undefined, async (current) => {
      previous = current.health;
      return { ...current, plugin, health };
    });
    return previous;
  }

  /**
   * Read-modify-write under compare-and-set. With a revision from the caller a
   * stale revision is CONFLICT at once; without one, a concurrent write makes
   * us read again and retry (the change is applied to the latest record).
   */
  private async modify(
    id: string,
    expectedRevision: number | undefined,
    change: (current: IntegrationRecord) => Promise<IntegrationRecord>,
  ): Promise<StoredIntegration> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.deps.repository.require(id);
      if (expectedRevision !== undefined && current.revision !== expectedRevision) {
        throw new AppError('CONFLICT', `integration ${id} is at revision ${current.revision}, not ${expectedRevision}; read it again`, {
          id,
          revision: current.revision,
        });
      }
      const next = { ...(await change(current.record)), updatedAt: this.now().toISOString() };
      try {
        const stored = await this.deps.repository.update(next, current.revision);
        this.deps.publish(INTEGRATION_EVENTS.updated, changedEvent(stored));
        return stored;
      } catch (err) {
        const retry = expectedRevision === undefined && err instanceof AppError && err.code === 'CONFLICT' && attempt < UNCONDITIONAL_ATTEMPTS;
        if (!retry) throw err;
      }
    }
  }

  /** A config sent back with "***" in a secret field keeps the stored secret. */
  private async mergeConfig(spec: IntegrationTypeSpec, storedConfig: Config, incoming: Config): Promise<Config> {
    const keep = maskedPaths(incoming, spec.secretFields);
    const previous = this.unseal(spec, storedConfig);
    const previousValues = new Map<string, unknown>();
    mapSecrets(previous, spec.secretFields, (value, path) => previousValues.set(path, value));
    const merged = mapSecrets(incoming, spec.secretFields, (value, path) => (keep.has(path) ? previousValues.get(path) : value));
    for (const path of keep) {
      if (!previousValues.has(path)) throw new AppError('VALIDATION', `config.${path} is "***" but no secret is stored there`, { field: `config.${path}` });
    }
    return this.validateConfig(spec, merged);
  }

  private async validateConfig(spec: IntegrationTypeSpec, config: Config): Promise<Config> {
    await validateDto(spec.configDto, config, 'config');
    await this.deps.checkConfig?.(spec.type, config);
    return config;
  }

  private async prepare(spec: IntegrationTypeSpec, config: Config, target: { id: string; name: string; previous?: Config }): Promise<PreparedConfig> {
    return this.deps.prepareConfig ? this.deps.prepareConfig(spec.type, config, target) : { config };
  }

  private seal(spec: IntegrationTypeSpec, config: Config): Config {
    return sealSecretFields(config, spec.secretFields, this.deps.secrets);
  }

  private unseal(spec: IntegrationTypeSpec, config: Config): Config {
    return mapSecrets(config, spec.secretFields, (value) =>
      this.deps.secrets.isSealed(value) ? (JSON.parse(this.deps.secrets.open(value)) as unknown) : value,
    );
  }

  private view(stored: StoredIntegration): IntegrationView {
    const spec = integrationType(stored.record.type);
    return toView(stored, spec ? maskSecrets(stored.record.config, spec.secretFields) : {});
  }
}

function requireType(type: string): IntegrationTypeSpec {
  const spec = integrationType(type);
  if (!spec) {
    throw new AppError('VALIDATION', `type must be one of ${integrationTypeNames().join(', ')}; got "${type}"`, {
      fields: [{ field: 'type', problems: [`unknown integration type "${type}"`] }],
    });
  }
  return spec;
}

function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}
