import { AppError } from '@autoweave/contracts';
import { isWrongRevision, type KV } from '@autoweave/messaging';
import { isApiKeyRecord, type ApiKeyRecord, type ApiKeyStore, type StoredApiKey } from './key-store.js';

/** API keys in the NATS KV bucket `api_keys`, one entry per key, keyed by the key's sha256. */
export class KvApiKeyStore implements ApiKeyStore {
  constructor(private readonly kv: KV) {}

  async get(hash: string): Promise<ApiKeyRecord | undefined> {
    const entry = await this.guard(() => this.kv.get(hash));
    if (!entry || entry.operation !== 'PUT') return undefined;
    return parse(entry.string());
  }

  async create(hash: string, record: ApiKeyRecord): Promise<void> {
    await this.guard(() => this.kv.create(hash, JSON.stringify(record)));
  }

  async put(hash: string, record: ApiKeyRecord): Promise<void> {
    await this.guard(() => this.kv.put(hash, JSON.stringify(record)));
  }

  async update(hash: string, record: ApiKeyRecord, revision: number): Promise<boolean> {
    try {
      await this.kv.update(hash, JSON.stringify(record), revision);
      return true;
    } catch (err) {
      if (isWrongRevision(err)) return false;
      return this.guard(() => Promise.reject(err));
    }
  }

  async delete(hash: string): Promise<void> {
    await this.guard(() => this.kv.purge(hash));
  }

  async list(): Promise<StoredApiKey[]> {
    const hashes: string[] = [];
    await this.guard(async () => {
      for await (const hash of await this.kv.keys()) hashes.push(hash);
    });
    const out: StoredApiKey[] = [];
    for (const hash of hashes) {
      const entry = await this.guard(() => this.kv.get(hash));
      const record = entry && entry.operation === 'PUT' ? parse(entry.string()) : undefined;
      if (entry && record) out.push({ hash, record, revision: entry.revision });
    }
    return out;
  }

  private async guard<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('UNAVAILABLE', 'the API key store is unavailable', undefined, { cause: err });
    }
  }
}

function parse(text: string): ApiKeyRecord | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isApiKeyRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
