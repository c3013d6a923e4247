import { randomUUID } from 'node:crypto';
import { AppError } from '@autoweave/contracts';
import { HttpStatusError } from '../errors.js';
import { API_KEY_FORMAT, generateApiKey, hashApiKey, sameHash } from './api-key.js';
import { parseCreateApiKeyRequest } from './create-key-request.js';
import { parseRotateApiKeyRequest } from './rotate-key-request.js';
import type { ApiKeyRecord, ApiKeyStore, StoredApiKey } from './key-store.js';
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
  /** When the current secret was issued by a rotation. */
  rotatedAt?: string;
  /** A secret replaced by a rotation still works until then. */
  previousKeyExpiresAt?: string;
}

/** The answer to `POST /api/keys` and to a rotation: the only time the key itself is shown. */
export interface CreatedApiKey extends ApiKeyView {
  key: string;
}

export interface ApiKeyRegistryOptions {
  /**
   * sha256 (hex) of each admin key: those of AUTOWEAVE_ADMIN_API_KEY (several
   * while an operator rolls it) or of the generated development key.
   */
  adminKeyHashes: readonly string[];
  /** How long a lookup (found or not) is reused; 0 turns the cache off. */
  cacheTtlMs: number;
  /** Upper bound of cached lookups, so random keys cannot grow memory. */
  maxCacheEntries?: number;
  now?: () => number;
}

export const ADMIN_PRINCIPAL: Principal = Object.freeze({ id: 'admin', name: 'admin (AUTOWEAVE_ADMIN_API_KEY)', scopes: ['admin'] as const });

/** Reads and writes of a revocation racing with rotations before giving up with CONFLICT. */
const REVOKE_ATTEMPTS = 5;

const MISSING_KEY = 'missing API key: send "Authorization: Bearer <key>" or "x-api-key: <key>"';
const INVALID_KEY = 'invalid or revoked API key';

interface CacheEntry {
  record: ApiKeyRecord | undefined;
  expiresAt: number;
}

/**
 * API keys: authentication (which key is this), authorization (does it carry
 * the scope a route needs) and management (create, list, rotate, revoke).
 * Plain TypeScript over an ApiKeyStore.
 *
 * A key id may have several secrets in the store: the current one and those a
 * rotation replaced, each with `expiresAt` (refused from then on).
 *
 * Lookups are cached for `cacheTtlMs` (a few seconds at most): a key revoked or
 * rotated with no grace on another gateway instance stops working there within
 * that time; here it stops at once. The grace period's end is checked on every
 * request against the cached record, so an expiry is exact everywhere once the
 * record carrying it has been read.
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
    // Every admin hash is compared (no early exit), in constant time each.
    const isAdmin = this.options.adminKeyHashes.reduce((found, admin) => sameHash(hash, admin) || found, false);
    if (isAdmin) return ADMIN_PRINCIPAL;
    if (!API_KEY_FORMAT.test(presented)) throw new AppError('UNAUTHORIZED', INVALID_KEY);
    const record = await this.lookup(hash);
    if (!record || record.revokedAt || this.expired(record)) throw new AppError('UNAUTHORIZED', INVALID_KEY);
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
    const all = await this.store.list();
    const items = all.filter((stored) => !stored.record.expiresAt).map((stored) => this.view(stored.record, all));
    items.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    return { items, total: items.length };
  }

  /**
   * A new secret for the key: same id, name and scopes. The replaced secret
   * keeps working for `graceSeconds` (body, default an hour) so clients can
   * switch without downtime. The new secret is stored before the old one gets
   * its expiry, so a failure in between leaves both working, never neither.
   * The old secret's expiry is written with compare-and-set: of two rotations
   * (or a rotation and a revocation) at once, one wins and the other answers
   * CONFLICT, its new secret removed again.
   * Unknown id: NOT_FOUND; a revoked key: CONFLICT.
   */
  async rotate(id: string, body: unknown): Promise<CreatedApiKey> {
    const { graceSeconds } = parseRotateApiKeyRequest(body);
    const secrets = await this.secretsOf(id);
    const current = secrets.find((stored) => !stored.record.expiresAt);
    if (!current) throw new AppError('NOT_FOUND', `no API key with id ${id}`, { id });
    if (current.record.revokedAt) throw new AppError('CONFLICT', `API key ${id} is revoked; create a new key instead`, { id });
    const now = this.now();
    const key = generateApiKey();
    const hash = hashApiKey(key);
    const { name, scopes, createdAt } = current.record;
    const record: ApiKeyRecord = { id, name, scopes, createdAt, rotatedAt: new Date(now).toISOString() };
    await this.store.create(hash, record);
    const previousKeyExpiresAt = new Date(now + graceSeconds * 1000).toISOString();
    if (!(await this.store.update(current.hash, { ...current.record, expiresAt: previousKeyExpiresAt }, current.revision))) {
      await this.store.delete(hash);
      throw new AppError('CONFLICT', `API key ${id} changed while rotating it (rotated or revoked at the same time); read it again`, { id });
    }
    // Secrets replaced by earlier rotations whose grace is over are of no use any more.
    for (const old of secrets) {
      if (old.record.expiresAt && this.expired(old.record)) await this.store.delete(old.hash);
    }
    for (const stored of secrets) this.cache.delete(stored.hash);
    this.cache.delete(hash);
    return { ...view(record), ...(graceSeconds > 0 ? { previousKeyExpiresAt } : {}), key };
  }

  /**
   * Marks the key revoked, every secret of it (kept for the record); idempotent.
   * Each write is compare-and-set: when a rotation changed the key meanwhile,
   * its secrets are read again so the new one is revoked too. Unknown id: NOT_FOUND.
   */
  async revoke(id: string): Promise<ApiKeyView> {
    const revokedAt = new Date(this.now()).toISOString();
    for (let attempt = 1; ; attempt++) {
      const secrets = await this.secretsOf(id);
      if (secrets.length === 0) throw new AppError('NOT_FOUND', `no API key with id ${id}`, { id });
      let raced = false;
      for (const stored of secrets) {
        this.cache.delete(stored.hash);
        if (stored.record.revokedAt) continue;
        stored.record = { ...stored.record, revokedAt };
        if (!(await this.store.update(stored.hash, stored.record, stored.revision))) raced = true;
      }
      if (!raced) {
        const current = secrets.find((stored) => !stored.record.expiresAt) ?? secrets[0]!;
        return view(current.record);
      }
      if (attempt >= REVOKE_ATTEMPTS) throw new AppError('CONFLICT', `API key ${id} kept changing while revoking it; try again`, { id });
    }
  }

  private async secretsOf(id: string): Promise<StoredApiKey[]> {
    return (await this.store.list()).filter((stored) => stored.record.id === id);
  }

  private expired(record: ApiKeyRecord): boolean {
    return record.expiresAt !== undefined && Date.parse(record.expiresAt) <= this.now();
  }

  /** The key's view, with when a replaced secret of it stops working (if one still works). */
  private view(record: ApiKeyRecord, all: readonly StoredApiKey[]): ApiKeyView {
    const out = view(record);
    const graces = all
      .filter((stored) => stored.record.id === record.id && stored.record.expiresAt && !stored.record.revokedAt && !this.expired(stored.record))
      .map((stored) => stored.record.expiresAt!)
      .sort();
    if (graces.length > 0) out.previousKeyExpiresAt = graces.at(-1);
    return out;
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
  if (record.rotatedAt) out.rotatedAt = record.rotatedAt;
  return out;
}
