import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import { startNatsServer, type NatsServerHandle } from '@autoweave/testing';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { hashApiKey } from './api-key.js';
import { ADMIN_PRINCIPAL, ApiKeyRegistry } from './api-key-registry.js';
import type { ApiKeyRecord } from './key-store.js';
import { KvApiKeyStore } from './kv-key-store.js';
import { DEFAULT_ROTATION_GRACE_SECONDS, MAX_ROTATION_GRACE_SECONDS, parseRotateApiKeyRequest } from './rotate-key-request.js';

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected a rejection');
}

/** API key rotation over the real `api_keys` store (a KV bucket on a real nats-server), with a clock the test moves. */
describe('API key rotation', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let bucket = 0;

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  /** Two gateway instances' registries over one bucket, each with its own lookup cache. */
  async function setup(cacheTtlMs = 5000) {
    const kv: KV = await new Kvm(nc).create(`api_keys_rotation_${++bucket}`);
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const options = { adminKeyHashes: [hashApiKey('admin-new'), hashApiKey('admin-old')], cacheTtlMs, now: () => clock };
    const here = new ApiKeyRegistry(new KvApiKeyStore(kv), options);
    const there = new ApiKeyRegistry(new KvApiKeyStore(kv), options);
    return { kv, here, there, advance: (ms: number) => (clock += ms), now: () => clock };
  }

  it('issues a new secret for the same id and scopes; the old one works until the grace period ends, also while cached', async () => {
    const { here, there, advance, now } = await setup(60_000);
    const created = await here.create({ name: 'ci', scopes: ['write'] });
    await there.authenticate(created.key); // cached on the other instance from now on

    const rotated = await here.rotate(created.id, { graceSeconds: 30 });
    expect(rotated).toEqual(expect.objectContaining({ id: created.id, name: 'ci', scopes: ['write'], createdAt: created.createdAt }));
    expect(rotated.key).not.toBe(created.key);
    expect(rotated.previousKeyExpiresAt).toBe(new Date(now() + 30_000).toISOString());
    const principal = { id: created.id, name: 'ci', scopes: ['write'] };
    for (const registry of [here, there]) {
      expect(await registry.authenticate(created.key)).toEqual(principal);
      expect(await registry.authenticate(rotated.key)).toEqual(principal);
    }

    advance(29_999);
    expect(await here.authenticate(created.key)).toEqual(principal);
    advance(1);
    // "there" still holds the record it read before the rotation: the expiry reaches it when its cache entry lapses.
    expect((await rejection(here.authenticate(created.key))).code).toBe('UNAUTHORIZED');
    expect(await here.authenticate(rotated.key)).toEqual(principal);
    advance(60_000);
    expect((await rejection(there.authenticate(created.key))).code).toBe('UNAUTHORIZED');
    expect(await there.authenticate(rotated.key)).toEqual(principal);
  });

  it('lists one key per id, with when the replaced secret stops working, and never a key or hash', async () => {
    const { here, advance } = await setup();
    const created = await here.create({ name: 'deploy', scopes: ['read'] });
    const rotated = await here.rotate(created.id, {});
    const listed = await here.list();
    expect(listed.total).toBe(1);
    expect(listed.items[0]).toEqual({
      id: created.id,
      name: 'deploy',
      scopes: ['read'],
      createdAt: created.createdAt,
      rotatedAt: expect.any(String),
      previousKeyExpiresAt: rotated.previousKeyExpiresAt,
    });
    expect(Date.parse(rotated.previousKeyExpiresAt!) - Date.parse(listed.items[0].rotatedAt!)).toBe(DEFAULT_ROTATION_GRACE_SECONDS * 1000);
    for (const secret of [created.key, rotated.key]) {
      expect(JSON.stringify(listed)).not.toContain(secret);
      expect(JSON.stringify(listed)).not.toContain(hashApiKey(secret));
    }
    advance(DEFAULT_ROTATION_GRACE_SECONDS * 1000);
    expect((await here.list()).items[0].previousKeyExpiresAt).toBeUndefined();
  });

  it('with graceSeconds 0 refuses the old secret at once here, and on another instance within the cache TTL', async () => {
    const { here, there, advance } = await setup(3000);
    const created = await here.create({ name: 'leaked', scopes: ['read'] });
    await there.authenticate(created.key);
    const rotated = await here.rotate(created.id, { graceSeconds: 0 });
    expect(rotated.previousKeyExpiresAt).toBeUndefined();
    expect((await rejection(here.authenticate(created.key))).code).toBe('UNAUTHORIZED');
    advance(3001);
    expect((await rejection(there.authenticate(created.key))).code).toBe('UNAUTHORIZED');
    expect((await there.authenticate(rotated.key)).id).toBe(created.id);
  });

  it('removes secrets whose grace is over at the next rotation, keeping one entry per live secret', async () => {
    const { kv, here, advance } = await setup();
    const created = await here.create({ name: 'often', scopes: ['read'] });
    const first = await here.rotate(created.id, { graceSeconds: 10 });
    advance(10_000);
    const second = await here.rotate(created.id, { graceSeconds: 10 });
    const hashes: string[] = [];
    for await (const key of await kv.keys()) hashes.push(key);
    expect(hashes.sort()).toEqual([hashApiKey(first.key), hashApiKey(second.key)].sort());
    expect((await here.authenticate(first.key)).id).toBe(created.id);
    expect((await rejection(here.authenticate(created.key))).code).toBe('UNAUTHORIZED');
  });

  it('revoking a rotated key refuses its current secret and the one still in grace', async () => {
    const { here } = await setup();
    const created = await here.create({ name: 'gone', scopes: ['read'] });
    const rotated = await here.rotate(created.id, { graceSeconds: 600 });
    const revoked = await here.revoke(created.id);
    expect(revoked.revokedAt).toEqual(expect.any(String));
    for (const secret of [created.key, rotated.key]) expect((await rejection(here.authenticate(secret))).code).toBe('UNAUTHORIZED');
    const refused = await rejection(here.rotate(created.id, {}));
    expect(refused.code).toBe('CONFLICT');
    expect(refused.message).toMatch(/is revoked/);
    expect((await rejection(here.rotate('no-such-id', {}))).code).toBe('NOT_FOUND');
  });

  /** The real store, running `between` once just before its next compare-and-set write: another instance acting at the worst moment. */
  class InterleavedStore extends KvApiKeyStore {
    between?: () => Promise<unknown>;
    override async update(hash: string, record: ApiKeyRecord, revision: number): Promise<boolean> {
      const run = this.between;
      this.between = undefined;
      await run?.();
      return super.update(hash, record, revision);
    }
  }

  it('of two rotations at once, one wins and the other answers CONFLICT with its secret removed', async () => {
    const { kv, here, there } = await setup(0);
    const store = new InterleavedStore(kv);
    const racing = new ApiKeyRegistry(store, { adminKeyHashes: [], cacheTtlMs: 0 });
    const created = await here.create({ name: 'raced', scopes: ['read'] });
    let winner: { key: string } | undefined;
    store.between = async () => (winner = await there.rotate(created.id, { graceSeconds: 60 }));
    const refused = await rejection(racing.rotate(created.id, { graceSeconds: 60 }));
    expect(refused.code).toBe('CONFLICT');
    expect(winner).toBeDefined();
    const hashes: string[] = [];
    for await (const key of await kv.keys()) hashes.push(key);
    expect(hashes.sort()).toEqual([hashApiKey(created.key), hashApiKey(winner!.key)].sort());
    expect((await here.list()).items.filter((k) => k.id === created.id)).toHaveLength(1);
  });

  it('a revocation racing a rotation revokes the new secret too', async () => {
    const { kv, here } = await setup(0);
    const store = new InterleavedStore(kv);
    const revoking = new ApiKeyRegistry(store, { adminKeyHashes: [], cacheTtlMs: 0 });
    const created = await here.create({ name: 'revoked while rotating', scopes: ['read'] });
    let rotated: { key: string } | undefined;
    store.between = async () => (rotated = await here.rotate(created.id, { graceSeconds: 600 }));
    await revoking.revoke(created.id);
    expect(rotated).toBeDefined();
    for (const secret of [created.key, rotated!.key]) expect((await rejection(here.authenticate(secret))).code).toBe('UNAUTHORIZED');
  });

  it('accepts every configured admin key (an operator rolling AUTOWEAVE_ADMIN_API_KEY) and no other', async () => {
    const { here } = await setup();
    expect(await here.authenticate('admin-new')).toEqual(ADMIN_PRINCIPAL);
    expect(await here.authenticate('admin-old')).toEqual(ADMIN_PRINCIPAL);
    expect((await rejection(here.authenticate('admin-other'))).code).toBe('UNAUTHORIZED');
  });
});

describe('POST /api/keys/:id/rotate body', () => {
  it.each([
    [undefined, DEFAULT_ROTATION_GRACE_SECONDS],
    [{}, DEFAULT_ROTATION_GRACE_SECONDS],
    [{ graceSeconds: 0 }, 0],
    [{ graceSeconds: MAX_ROTATION_GRACE_SECONDS }, MAX_ROTATION_GRACE_SECONDS],
  ])('accepts %j', (body, grace) => {
    expect(parseRotateApiKeyRequest(body)).toEqual({ graceSeconds: grace });
  });

  it.each([
    [{ graceSeconds: -1 }, /graceSeconds must be an integer between 0 and 604800/],
    [{ graceSeconds: 1.5 }, /graceSeconds must be an integer/],
    [{ graceSeconds: '60' }, /got "60"/],
    [{ graceSeconds: MAX_ROTATION_GRACE_SECONDS + 1 }, /graceSeconds/],
    [{ grace: 60 }, /property grace should not exist/],
    [[60], /must be a JSON object/],
  ])('refuses %j with VALIDATION naming the problem', (body, message) => {
    let error: AppError | undefined;
    try {
      parseRotateApiKeyRequest(body);
    } catch (err) {
      error = err as AppError;
    }
    expect(error?.code).toBe('VALIDATION');
    expect(error?.message).toMatch(message);
  });
});
