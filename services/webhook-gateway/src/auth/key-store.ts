import { isScope, type Scope } from './scopes.js';

/** What the bucket holds per key, under the key's hash. Never the key itself. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: Scope[];
  createdAt: string;
  revokedAt?: string;
  /** Set on the secret a rotation replaced: it is refused from this time on. */
  expiresAt?: string;
  /** Set on the secret a rotation made: when it was issued. */
  rotatedAt?: string;
}

export interface StoredApiKey {
  hash: string;
  record: ApiKeyRecord;
  /** The entry's revision in the store, for `update`. */
  revision: number;
}

/** Where API keys live: the `api_keys` KV bucket in production, a Map in unit tests. */
export interface ApiKeyStore {
  get(hash: string): Promise<ApiKeyRecord | undefined>;
  /** Adds a new key; fails if the hash is already present. */
  create(hash: string, record: ApiKeyRecord): Promise<void>;
  put(hash: string, record: ApiKeyRecord): Promise<void>;
  /** Writes only if the entry is still at `revision` (compare-and-set); false when it changed meanwhile. */
  update(hash: string, record: ApiKeyRecord, revision: number): Promise<boolean>;
  /** Removes an entry (a replaced secret whose grace period is over); absent is fine. */
  delete(hash: string): Promise<void>;
  list(): Promise<StoredApiKey[]>;
}

export function isApiKeyRecord(value: unknown): value is ApiKeyRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<ApiKeyRecord>;
  return (
    typeof r.id === 'string' &&
    typeof r.name === 'string' &&
    typeof r.createdAt === 'string' &&
    Array.isArray(r.scopes) &&
    r.scopes.every(isScope) &&
    (r.revokedAt === undefined || typeof r.revokedAt === 'string') &&
    (r.expiresAt === undefined || typeof r.expiresAt === 'string') &&
    (r.rotatedAt === undefined || typeof r.rotatedAt === 'string')
  );
}
