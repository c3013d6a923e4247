import { createHash } from 'node:crypto';
import { AppError, INTEGRATION_RECORD_PREFIX } from '@autoweave/contracts';
import { isWrongRevision, type KV } from '@autoweave/messaging';
import type { IntegrationRecord, StoredIntegration } from './integration-record.js';

const RECORD_PREFIX = INTEGRATION_RECORD_PREFIX;
const NAME_PREFIX = 'n.';

/**
 * The integrations bucket. Records live under `i.<id>`; `n.<hash of name>`
 * holds the id that owns a name, created with KV create (which fails if the
 * key exists), so two hub replicas cannot register the same name. Updates
 * are compare-and-set on the KV revision.
 */
export class RegistryRepository {
  constructor(private readonly kv: KV) {}

  async get(id: string): Promise<StoredIntegration | undefined> {
    const entry = await this.kv.get(RECORD_PREFIX + id);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
    return { record: entry.json<IntegrationRecord>(), revision: entry.revision };
  }

  async require(id: string): Promise<StoredIntegration> {
    const found = await this.get(id);
    if (!found) throw new AppError('NOT_FOUND', `integration ${id} not found`, { id });
    return found;
  }

  async list(): Promise<StoredIntegration[]> {
    const keys: string[] = [];
    for await (const key of await this.kv.keys(`${RECORD_PREFIX}>`)) keys.push(key);
    const found = await Promise.all(keys.map((key) => this.get(key.slice(RECORD_PREFIX.length))));
    return found.filter((s): s is StoredIntegration => s !== undefined);
  }

  /** The integration that owns a name (case-insensitive), straight from the store. */
  async findByName(name: string): Promise<StoredIntegration | undefined> {
    const entry = await this.kv.get(NAME_PREFIX + nameHash(name));
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
    return this.get(entry.json<{ id: string }>().id);
  }

  /** Claims the name, then writes the record; releases the name if the write fails. */
  async create(record: IntegrationRecord): Promise<StoredIntegration> {
    const nameKey = NAME_PREFIX + nameHash(record.name);
    try {
      await this.kv.create(nameKey, JSON.stringify({ id: record.id }));
    } catch (err) {
      if (isWrongRevision(err)) {
        throw new AppError('CONFLICT', `an integration named "${record.name}" already exists`, { field: 'name' });
      }
      throw err;
    }
    try {
      const revision = await this.kv.create(RECORD_PREFIX + record.id, JSON.stringify(record));
      return { record, revision };
    } catch (err) {
      await this.kv.purge(nameKey).catch(() => undefined);
      throw err;
    }
  }

  /** Writes only if the record is still at `revision`; otherwise CONFLICT. */
  async update(record: IntegrationRecord, revision: number): Promise<StoredIntegration> {
    try {
      const next = await this.kv.update(RECORD_PREFIX + record.id, JSON.stringify(record), revision);
      return { record, revision: next };
    } catch (err) {
      if (isWrongRevision(err)) {
        throw new AppError('CONFLICT', `integration ${record.id} changed since revision ${revision}; read it again`, {
          id: record.id,
          revision,
        });
      }
      throw err;
    }
  }

  async delete(stored: StoredIntegration): Promise<void> {
    await this.kv.purge(RECORD_PREFIX + stored.record.id, { previousSeq: stored.revision }).catch((err: unknown) => {
      if (isWrongRevision(err)) throw new AppError('CONFLICT', `integration ${stored.record.id} changed while deleting it`);
      throw err;
    });
    await this.kv.purge(NAME_PREFIX + nameHash(stored.record.name));
  }
}

/** Names are unique case-insensitively ("Stripe" and "stripe" are one name). */
function nameHash(name: string): string {
  return createHash('sha256').update(name.trim().toLowerCase()).digest('hex');
}
