import { randomUUID } from 'node:crypto';
import { AppError } from '@autoweave/contracts';
import { HttpStatusError } from '../errors.js';
import { API_KEY_FORMAT, generateApiKey, hashApiKey, sameHash } from './api-key.js';
import { parseCreateApiKeyRequest } from './create-key-request.js';
import type { ApiKeyRecord, ApiKeyStore } from './key-store.js';
import { grants, type Scope } from './scopes.js';

/** Who a request is: the key's id, name and scopes (never the key or its hash). */
export interface Principal {
  id: string;
  name: string;
  scopes: readonly Scope[];
}

/** A key as `GET /api/keys` shows it. */
export interface ApiKeyView {
  id: string;
  name: string;
  scopes: Scope[];
  createdAt: string;
  revokedAt?: string;
}

/** The answer to `POST /api/keys`: the only time the key itself is shown. */
export interface CreatedApiKey extends ApiKeyView {
  key: string;
}

export interface ApiKeyRegistryOptions {
  /** sha256 (hex) of the admin key (AUTOWEAVE_ADMIN_API_KEY or the generated development key). */
  adminKeyHash: string;
  /** How long a lookup (found or not) is reused; 0 turns the cache off. */
  cacheTtlMs: number;
  /** Upper bound of cached lookups, so random keys cannot grow memory. */
  maxCacheEntries?: number;
  now?: () => number;
}

export const ADMIN_PRINCIPAL: Principal = Object.freeze({ id: 'admin', name: 'admin (AUTOWEAVE_ADMIN_API_KEY)', scopes: ['admin'] as const });

const MISSING_KEY = 'missing API key: send "Authorization: Bearer <key>" or "x-api-key: <key>"';
const INVALID_KEY = 'invalid or revoked API key';

interface CacheEntry {
  record: ApiKeyRecord | undefined;
  expiresAt: number;
}

/**
 * API keys: authentication (which key is this), authorization (does it carry
 * the scope a route needs) and management (create, list, revoke). Plain
 * TypeScript over an ApiKeyStore, so it is tested without Nest or NATS.
 *
 * Lookups are cached for `cacheTtlMs` (a few seconds at most): a key revoked on
 * another gateway instance stops working there within that time; one revoked
 * here stops at once.
 */
export class ApiKeyRegistry {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly now: () => number;
  private readonly maxCacheEntries: number;

  constructor(
    private readonly store: ApiKeyStore,
    private readonly options: ApiKeyRegistryOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.maxCacheEntries = options.maxCacheEntries ?? 10_000;
  }

  /** Resolves the presented key to a principal, or throws UNAUTHORIZED (401). */
  async authenticate(presented: string | undefined): Promise<Principal> {
    if (!presented) throw new AppError('UNAUTHORIZED', MISSING_KEY);
    const hash = hashApiKey(presented);
    if (sameHash(hash, this.options.adminKeyHash)) return ADMIN_PRINCIPAL;
    if (!API_KEY_FORMAT.test(presented)) throw new AppError('UNAUTHORIZED', INVALID_KEY);
    const record = await this.lookup(hash);
    if (!record || record.revokedAt) throw new AppError('UNAUTHORIZED', INVALID_KEY);
    return { id: record.id, name: record.name, scopes: record.scopes };
  }

  /**
   * Throws when the principal lacks the scope. The code stays UNAUTHORIZED
   * (the closed set has no FORBIDDEN) but the HTTP status is 403: the caller
   * is known, its key just does not allow this (RFC 6750 insufficient_scope).
   */
  authorize(principal: Principal, needed: Scope): void {
    if (grants(principal.scopes, needed)) return;
    throw new HttpStatusError(
      'UNAUTHORIZED',
      `this route needs the "${needed}" scope; the API key has: ${principal.scopes.join(', ') || 'none'}`,
      403,
      { requiredScope: needed },
      { 'www-authenticate': `Bearer error="insufficient_scope", scope="${needed}"` },
    );
  }

  async create(body: unknown): Promise<CreatedApiKey> {
    const request = parseCreateApiKeyRequest(body);
    const key = generateApiKey();
    const hash = hashApiKey(key);
    const record: ApiKeyRecord = {
      id: randomUUID(),
      name: request.name,
      scopes: request.scopes,
      createdAt: new Date(this.now()).toISOString(),
    };
    await this.store.create(hash, record);
    this.cache.delete(hash);
    return { ...view(record), key };
  }

  async list(): Promise<{ items: ApiKeyView[]; total: number }> {
    const items = (await this.store.list()).map((stored) => view(stored.record));
    items.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    return { items, total: items.length };
  }

  /** Marks the key revoked (kept for the record); idempotent. Unknown id: NOT_FOUND. */
  async revoke(id: string): Promise<ApiKeyView> {
    const found = (await this.store.list()).find((stored) => stored.record.id === id);
    if (!found) throw new AppError('NOT_FOUND', `no API key with id ${id}`, { id });
    let record = found.record;
    if (!record.revokedAt) {
      record = { ...record, revokedAt: new Date(this.now()).toISOString() };
      await this.store.put(found.hash, record);
    }
    this.cache.delete(found.hash);
    return view(record);
  }

  private async lookup(hash: string): Promise<ApiKeyRecord | undefined> {
    const ttl = this.options.cacheTtlMs;
    const now = this.now();
    const cached = this.cache.get(hash);
    if (cached && cached.expiresAt > now) return cached.record;
    const record = await this.store.get(hash);
    if (ttl > 0) {
      this.cache.delete(hash);
      if (this.cache.size >= this.maxCacheEntries) this.evictExpiredOrOldest(now);
      this.cache.set(hash, { record, expiresAt: now + ttl });
    }
    return record;
  }

  private evictExpiredOrOldest(now: number): void {
    for (const [hash, entry] of this.cache) if (entry.expiresAt <= now) this.cache.delete(hash);
    if (this.cache.size < this.maxCacheEntries) return;
    const oldest = this.cache.keys().next();
    if (!oldest.done) this.cache.delete(oldest.value);
  }
}

function view(record: ApiKeyRecord): ApiKeyView {
  const out: ApiKeyView = { id: record.id, name: record.name, scopes: [...record.scopes], createdAt: record.createdAt };
  if (record.revokedAt) out.revokedAt = record.revokedAt;
  return out;
}
