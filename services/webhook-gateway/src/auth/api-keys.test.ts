import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import { createLogger } from '@autoweave/observability';
import { HttpStatusError } from '../errors.js';
import { DEV_ADMIN_KEY_MESSAGE, resolveAdminKeyHashes } from './admin-key.js';
import { API_KEY_FORMAT, extractApiKey, generateApiKey, hashApiKey, sameHash } from './api-key.js';
import { ADMIN_PRINCIPAL, ApiKeyRegistry, type Principal } from './api-key-registry.js';
import { parseCreateApiKeyRequest } from './create-key-request.js';
import type { ApiKeyRecord, ApiKeyStore, StoredApiKey } from './key-store.js';
import { grants, normalizeScopes, type Scope } from './scopes.js';

/** The store contract over a Map, counting reads so the cache is observable. */
class MemoryStore implements ApiKeyStore {
  readonly entries = new Map<string, ApiKeyRecord>();
  private readonly revisions = new Map<string, number>();
  private revision = 0;
  reads = 0;
  async get(hash: string) {
    this.reads++;
    return this.entries.get(hash);
  }
  async create(hash: string, record: ApiKeyRecord) {
    if (this.entries.has(hash)) throw new Error('exists');
    await this.put(hash, record);
  }
  async put(hash: string, record: ApiKeyRecord) {
    this.entries.set(hash, record);
    this.revisions.set(hash, ++this.revision);
  }
  async update(hash: string, record: ApiKeyRecord, revision: number) {
    if (this.revisions.get(hash) !== revision) return false;
    await this.put(hash, record);
    return true;
  }
  async delete(hash: string) {
    this.entries.delete(hash);
  }
  async list(): Promise<StoredApiKey[]> {
    return [...this.entries].map(([hash, record]) => ({ hash, record, revision: this.revisions.get(hash)! }));
  }
}

const ADMIN_KEY = 'unit-admin-key';

function setup(cacheTtlMs = 5000) {
  const store = new MemoryStore();
  let clock = 1_000_000;
  const registry = new ApiKeyRegistry(store, { adminKeyHashes: [hashApiKey(ADMIN_KEY)], cacheTtlMs, now: () => clock });
  return { store, registry, advance: (ms: number) => (clock += ms) };
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected a rejection');
}

function thrown(fn: () => void): AppError {
  try {
    fn();
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected a throw');
}

describe('scopes', () => {
  it.each<[Scope[], Scope, boolean]>([
    [['read'], 'read', true],
    [['read'], 'write', false],
    [['read'], 'admin', false],
    [['write'], 'read', true],
    [['write'], 'write', true],
    [['write'], 'admin', false],
    [['admin'], 'read', true],
    [['admin'], 'write', true],
    [['admin'], 'admin', true],
    [[], 'read', false],
    [['read', 'admin'], 'write', true],
  ])('%j grants %s: %s', (held, needed, expected) => {
    expect(grants(held, needed)).toBe(expected);
  });

  it('normalizes to distinct scopes, lowest first', () => {
    expect(normalizeScopes(['admin', 'read', 'admin'])).toEqual(['read', 'admin']);
  });
});

describe('API key material', () => {
  it('generates aw_ + 32 random bytes base64url, different every time', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a).toMatch(API_KEY_FORMAT);
    expect(Buffer.from(a.slice(3), 'base64url')).toHaveLength(32);
    expect(a).not.toBe(b);
  });

  it('hashes with sha256 and compares hashes exactly', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sameHash(hashApiKey('abc'), hashApiKey('abc'))).toBe(true);
    expect(sameHash(hashApiKey('abc'), hashApiKey('abd'))).toBe(false);
    expect(sameHash(hashApiKey('abc'), '')).toBe(false);
  });

  it.each([
    [{ authorization: 'Bearer aw_x' }, 'aw_x'],
    [{ authorization: 'bearer   aw_x  ' }, 'aw_x'],
    [{ 'x-api-key': 'aw_y' }, 'aw_y'],
    [{ authorization: 'Bearer aw_x', 'x-api-key': 'aw_y' }, 'aw_x'],
    [{ authorization: 'Basic dXNlcjpwYXNz', 'x-api-key': 'aw_y' }, 'aw_y'],
    [{ authorization: 'Basic dXNlcjpwYXNz' }, undefined],
    [{ authorization: 'Bearer' }, undefined],
    [{ 'x-api-key': '  ' }, undefined],
    [{}, undefined],
  ])('extracts the key from %j', (headers, expected) => {
    expect(extractApiKey(headers)).toBe(expected);
  });
});

describe('POST /api/keys body', () => {
  it('accepts a name and scopes, normalizing both', () => {
    expect(parseCreateApiKeyRequest({ name: '  ci  ', scopes: ['write', 'read', 'write'] })).toEqual({ name: 'ci', scopes: ['read', 'write'] });
  });

  it.each([
    ['an array', []],
    ['null', null],
    ['no name', { scopes: ['read'] }],
    ['an empty name', { name: ' ', scopes: ['read'] }],
    ['a long name', { name: 'x'.repeat(101), scopes: ['read'] }],
    ['a control character', { name: 'a\nb', scopes: ['read'] }],
    ['no scopes', { name: 'a' }],
    ['empty scopes', { name: 'a', scopes: [] }],
    ['an unknown scope', { name: 'a', scopes: ['root'] }],
    ['an unknown field', { name: 'a', scopes: ['read'], key: 'aw_mine' }],
  ])('refuses %s with VALIDATION', (_case, body) => {
    const err = thrown(() => parseCreateApiKeyRequest(body));
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('VALIDATION');
  });
});

describe('ApiKeyRegistry', () => {
  it('authenticates the admin key by its hash, without a store read', async () => {
    const { registry, store } = setup();
    expect(await registry.authenticate(ADMIN_KEY)).toEqual(ADMIN_PRINCIPAL);
    expect(store.reads).toBe(0);
  });

  it('refuses a missing, malformed or unknown key with UNAUTHORIZED', async () => {
    const { registry, store } = setup();
    expect((await rejection(registry.authenticate(undefined))).message).toMatch(/missing API key/);
    expect((await rejection(registry.authenticate('not-a-key'))).code).toBe('UNAUTHORIZED');
    expect(store.reads).toBe(0); // malformed keys never reach the store
    expect((await rejection(registry.authenticate(generateApiKey()))).message).toMatch(/invalid or revoked/);
    expect(store.reads).toBe(1);
  });

  it('creates a key stored only as its hash, then authenticates it', async () => {
    const { registry, store } = setup();
    const created = await registry.create({ name: 'ci', scopes: ['write'] });
    expect(created.key).toMatch(API_KEY_FORMAT);
    expect([...store.entries.keys()]).toEqual([hashApiKey(created.key)]);
    expect(JSON.stringify([...store.entries.values()])).not.toContain(created.key);
    expect(await registry.authenticate(created.key)).toEqual({ id: created.id, name: 'ci', scopes: ['write'] });
  });

  it('lists keys without keys or hashes', async () => {
    const { registry } = setup();
    const a = await registry.create({ name: 'a', scopes: ['read'] });
    const listed = await registry.list();
    expect(listed).toEqual({ total: 1, items: [{ id: a.id, name: 'a', scopes: ['read'], createdAt: a.createdAt }] });
    expect(JSON.stringify(listed)).not.toContain(a.key);
    expect(JSON.stringify(listed)).not.toContain(hashApiKey(a.key));
  });

  it('caches lookups for the TTL and forgets a key revoked here at once', async () => {
    const { registry, store, advance } = setup(5000);
    const created = await registry.create({ name: 'ci', scopes: ['read'] });
    await registry.authenticate(created.key);
    await registry.authenticate(created.key);
    expect(store.reads).toBe(1);
    advance(5001);
    await registry.authenticate(created.key);
    expect(store.reads).toBe(2);
    const revoked = await registry.revoke(created.id);
    expect(revoked.revokedAt).toEqual(expect.any(String));
    expect((await rejection(registry.authenticate(created.key))).code).toBe('UNAUTHORIZED');
    expect((await registry.revoke(created.id)).revokedAt).toBe(revoked.revokedAt); // idempotent
  });

  it('sees a revocation made by another instance once the TTL has passed', async () => {
    const { registry, store, advance } = setup(3000);
    const created = await registry.create({ name: 'ci', scopes: ['read'] });
    await registry.authenticate(created.key);
    const hash = hashApiKey(created.key);
    store.entries.set(hash, { ...store.entries.get(hash)!, revokedAt: new Date().toISOString() });
    await expect(registry.authenticate(created.key)).resolves.toBeDefined(); // still cached
    advance(3001);
    expect((await rejection(registry.authenticate(created.key))).code).toBe('UNAUTHORIZED');
  });

  it('reads the store every time with the cache off', async () => {
    const { registry, store } = setup(0);
    const created = await registry.create({ name: 'ci', scopes: ['read'] });
    await registry.authenticate(created.key);
    await registry.authenticate(created.key);
    expect(store.reads).toBe(2);
  });

  it('answers NOT_FOUND when revoking an unknown id', async () => {
    const { registry } = setup();
    expect((await rejection(registry.revoke('nope'))).code).toBe('NOT_FOUND');
  });

  it('authorizes by scope: 403 with code UNAUTHORIZED naming the missing scope', () => {
    const { registry } = setup();
    const reader: Principal = { id: 'k', name: 'k', scopes: ['read'] };
    expect(() => registry.authorize(reader, 'read')).not.toThrow();
    expect(() => registry.authorize(ADMIN_PRINCIPAL, 'write')).not.toThrow();
    const err = thrown(() => registry.authorize(reader, 'write')) as HttpStatusError;
    expect(err).toBeInstanceOf(HttpStatusError);
    expect(err.httpStatus).toBe(403);
    expect(err.code).toBe('UNAUTHORIZED');
    expect(err.message).toContain('"write"');
    expect(err.headers['www-authenticate']).toContain('insufficient_scope');
  });
});

describe('development admin key', () => {
  function capture() {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        cb();
      },
    });
    return { lines, stream };
  }

  it('keeps the configured key hashes and prints nothing', () => {
    const { lines, stream } = capture();
    const written: string[] = [];
    const hashes = [hashApiKey('configured-new'), hashApiKey('configured-old')];
    expect(resolveAdminKeyHashes(hashes, createLogger({ service: 't', level: 'info', destination: stream }), (l) => written.push(l))).toEqual(hashes);
    expect(lines).toEqual([]);
    expect(written).toEqual([]);
  });

  it('generates a key and logs it once, in a line saying how to choose one', () => {
    const { lines, stream } = capture();
    const [hash] = resolveAdminKeyHashes([], createLogger({ service: 't', level: 'info', destination: stream }));
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]) as { msg: string; key: string };
    expect(line.msg).toBe(DEV_ADMIN_KEY_MESSAGE);
    expect(line.key).toMatch(API_KEY_FORMAT);
    expect(hashApiKey(line.key)).toBe(hash);
  });

  it('writes the key to stdout even when the log level hides warnings', () => {
    const { lines, stream } = capture();
    const written: string[] = [];
    const [hash] = resolveAdminKeyHashes([], createLogger({ service: 't', level: 'silent', destination: stream }), (l) => written.push(l));
    expect(lines).toEqual([]);
    expect(written).toHaveLength(1);
    expect(hashApiKey((JSON.parse(written[0]) as { key: string }).key)).toBe(hash);
  });
});
