import { createHash } from 'node:crypto';
import { AppError } from '@autoweave/contracts';
import { isWrongRevision, type KV } from '@autoweave/messaging';
import { PIPELINE_KEYS, type PipelineRecord, type StoredPipeline } from './pipeline-record.js';

/**
 * Pipeline definitions in the `pipelines` bucket: the record under `p.<id>`,
 * the name claimed under `n.<hash of name>` with KV create (atomic), so two
 * replicas cannot register one name twice. Updates are compare-and-set on
 * the KV revision.
 */
export class PipelineRepository {
  constructor(private readonly kv: KV) {}

  async get(id: string): Promise<StoredPipeline | undefined> {
    const entry = await this.kv.get(PIPELINE_KEYS.definition(id));
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
    return { record: entry.json<PipelineRecord>(), revision: entry.revision };
  }

  async require(id: string): Promise<StoredPipeline> {
    const found = await this.get(id);
    if (!found) throw new AppError('NOT_FOUND', `pipeline ${id} not found`, { id });
    return found;
  }

  async list(): Promise<StoredPipeline[]> {
    const keys: string[] = [];
    for await (const key of await this.kv.keys(`${PIPELINE_KEYS.definitionPrefix}>`)) keys.push(key);
    const found = await Promise.all(keys.map((key) => this.get(key.slice(PIPELINE_KEYS.definitionPrefix.length))));
    return found.filter((s): s is StoredPipeline => s !== undefined);
  }

  async findByName(name: string): Promise<StoredPipeline | undefined> {
    const entry = await this.kv.get(PIPELINE_KEYS.name(nameHash(name)));
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
    return this.get(entry.json<{ id: string }>().id);
  }

  /** Claims the name, then writes the record; releases the name if the write fails. */
  async create(record: PipelineRecord): Promise<StoredPipeline> {
    const nameKey = PIPELINE_KEYS.name(nameHash(record.name));
    try {
      await this.kv.create(nameKey, JSON.stringify({ id: record.id }));
    } catch (err) {
      if (isWrongRevision(err)) throw new AppError('CONFLICT', `a pipeline named "${record.name}" already exists`, { field: 'name' });
      throw err;
    }
    try {
      const revision = await this.kv.create(PIPELINE_KEYS.definition(record.id), JSON.stringify(record));
      return { record, revision };
    } catch (err) {
      await this.kv.purge(nameKey).catch(() => undefined);
      throw err;
    }
  }

  /** Writes only if the record is still at `revision`; otherwise CONFLICT. */
  async update(record: PipelineRecord, revision: number): Promise<StoredPipeline> {
    try {
      const next = await this.kv.update(PIPELINE_KEYS.definition(record.id), JSON.stringify(record), revision);
      return { record, revision: next };
    } catch (err) {
      if (isWrongRevision(err)) {
        throw new AppError('CONFLICT', `pipeline ${record.id} changed since revision ${revision}; read it again`, { id: record.id, revision });
      }
      throw err;
    }
  }

  /** Removes the definition (compare-and-set) and frees the name. */
  async delete(stored: StoredPipeline): Promise<void> {
    await this.kv.purge(PIPELINE_KEYS.definition(stored.record.id), { previousSeq: stored.revision }).catch((err: unknown) => {
      if (isWrongRevision(err)) throw new AppError('CONFLICT', `pipeline ${stored.record.id} changed while deleting it`);
      throw err;
    });
    await this.kv.purge(PIPELINE_KEYS.name(nameHash(stored.record.name)));
  }
}

/** Names are unique case-insensitively. */
function nameHash(name: string): string {
  return createHash('sha256').update(name.trim().toLowerCase()).digest('hex');
}

/** Shared with run-queue.ts and run-lease.ts; the one definition is in libs/messaging. */
export { isWrongRevision };
