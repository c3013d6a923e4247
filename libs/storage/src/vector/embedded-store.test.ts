import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import { appendFile, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lexicalVector } from '../embedders/lexical.js';
import { collectionFileSizes } from './embedded-collection.js';
import { EmbeddedVectorStore } from './embedded-store.js';
import type { VectorPoint } from './types.js';

let dir: string;
const stores: EmbeddedVectorStore[] = [];

function open(options: { compactBytes?: number } = {}): EmbeddedVectorStore {
  const store = new EmbeddedVectorStore({ dir, ...options });
  stores.push(store);
  return store;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aw-vectors-'));
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  await rm(dir, { recursive: true, force: true });
});

const OPERATIONS = [
  { id: 'petstore:listPets', text: 'GET /pets list pets', kind: 'read', tags: ['pets'] },
  { id: 'petstore:createPet', text: 'POST /pets create a pet', kind: 'write', tags: ['pets'] },
  { id: 'store:deleteOrder', text: 'DELETE /orders/{id} delete an order', kind: 'write', tags: ['orders'] },
  { id: 'store:getOrder', text: 'GET /orders/{id} get an order by id', kind: 'read', tags: ['orders'] },
  { id: 'users:createUser', text: 'POST /users create a user', kind: 'write', tags: ['users'], meta: { owner: 'team-a' } },
];

const points = (dims = 384): VectorPoint[] =>
  OPERATIONS.map(({ id, text, ...rest }) => ({ id, vector: lexicalVector(text, dims), payload: { text, ...rest } }));

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('embedded vector store - search', () => {
  it('finds the best operation for a plain query, with cosine scores, nearest first', async () => {
    const store = open();
    await store.upsert('ops', points());
    const hits = await store.search('ops', lexicalVector('list all pets'), { limit: 3 });
    expect(hits.map((h) => h.id)[0]).toBe('petstore:listPets');
    expect(hits).toHaveLength(3);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect(hits[0]!.score).toBeLessThanOrEqual(1.000001);
    expect(hits[0]!.payload).toEqual({ text: 'GET /pets list pets', kind: 'read', tags: ['pets'] });
  });

  it('filters on payload fields: scalars, nested paths, array elements', async () => {
    const store = open();
    await store.upsert('ops', points());
    const q = lexicalVector('create');
    expect((await store.search('ops', q, { limit: 10, filter: { kind: 'read' } })).map((h) => h.id).sort()).toEqual(['petstore:listPets', 'store:getOrder']);
    expect((await store.search('ops', q, { limit: 10, filter: { tags: 'orders', kind: 'write' } })).map((h) => h.id)).toEqual(['store:deleteOrder']);
    expect((await store.search('ops', q, { limit: 10, filter: { 'meta.owner': 'team-a' } })).map((h) => h.id)).toEqual(['users:createUser']);
    expect(await store.count('ops', { kind: 'write' })).toBe(3);
  });

  it('a collection that does not exist has no hits and no points', async () => {
    const store = open();
    expect(await store.search('nothing', [1, 0], { limit: 5 })).toEqual([]);
    expect(await store.count('nothing')).toBe(0);
  });

  it('upserts replace by id (idempotent) and deletes by id or filter', async () => {
    const store = open();
    await store.upsert('ops', points());
    await store.upsert('ops', points());
    expect(await store.count('ops')).toBe(5);
    await store.upsert('ops', [{ id: 'petstore:listPets', vector: lexicalVector('GET /pets list pets'), payload: { text: 'changed' } }]);
    expect((await store.search('ops', lexicalVector('list pets'), { limit: 1 }))[0]!.payload).toEqual({ text: 'changed' });
    await store.delete('ops', { ids: ['petstore:listPets', 'no-such-id'] });
    await store.delete('ops', { filter: { tags: 'orders' } });
    expect(await store.count('ops')).toBe(2);
    expect((await store.search('ops', lexicalVector('x y z'), { limit: 10 })).map((h) => h.id).sort()).toEqual(['petstore:createPet', 'users:createUser']);
  });

  it('refuses a vector of another dimension, changing nothing', async () => {
    const store = open();
    await store.upsert('ops', points(16));
    const err = await rejection(store.upsert('ops', [{ id: 'new', vector: [1, 2, 3], payload: {} }, ...points(16)]));
    expect(err.code).toBe('VALIDATION');
    expect(err.message).toMatch(/3 dimensions, the collection has 16/);
    expect(await store.count('ops')).toBe(5);
    expect((await rejection(store.search('ops', [1, 2], { limit: 1 }))).code).toBe('VALIDATION');
    expect((await rejection(store.upsert('ops', [{ id: 'nan', vector: new Array(16).fill(Number.NaN), payload: {} }]))).code).toBe('VALIDATION');
  });

  it.each(['../escape', 'a/b', '.hidden', '', 'x'.repeat(200)])('refuses collection name %p', async (name) => {
    const err = await rejection(open().upsert(name, points(4)));
    expect(err.code).toBe('VALIDATION');
  });

  it('refuses filters that are not field: scalar', async () => {
    const store = open();
    expect((await rejection(store.search('ops', [1], { limit: 1, filter: { kind: { $ne: 1 } } as never }))).code).toBe('VALIDATION');
    expect((await rejection(store.count('ops', { '__proto__.x': 1 })))).toMatchObject({ code: 'VALIDATION' });
  });

  it('two stores in one process share one collection (one writer per process)', async () => {
    const writer = open();
    const reader = open();
    await reader.count('ops');
    await writer.upsert('ops', points());
    expect(await reader.count('ops')).toBe(5);
  });
});

describe('embedded vector store - durability', () => {
  it('survives a reopen', async () => {
    const first = open();
    await first.upsert('ops', points());
    await first.delete('ops', { ids: ['store:getOrder'] });
    const before = await first.search('ops', lexicalVector('orders'), { limit: 4 });
    await first.close();

    const second = open();
    expect(await second.count('ops')).toBe(4);
    expect(await second.search('ops', lexicalVector('orders'), { limit: 4 })).toEqual(before);
  });

  it('drops a torn last log line (an unacknowledged batch) and keeps writing after it', async () => {
    const first = open();
    await first.upsert('ops', points().slice(0, 2));
    await first.upsert('ops', points().slice(2, 3));
    await first.close();
    const log = join(dir, 'ops', 'log.jsonl');
    const whole = await readFile(log);
    // A crash in the middle of appending the next batch.
    await appendFile(log, '{"u":[["store:getOrder","AAAA');

    const second = open();
    expect(await second.count('ops')).toBe(3);
    expect(await readFile(log)).toEqual(whole); // the torn tail is cut off
    await second.upsert('ops', points().slice(3));
    await second.close();

    const third = open();
    expect(await third.count('ops')).toBe(5);
    expect((await third.search('ops', lexicalVector('create a user'), { limit: 1 }))[0]!.id).toBe('users:createUser');
  });

  it('compacts into a snapshot; the state after reopening is the same', async () => {
    const store = open({ compactBytes: 1 });
    await store.upsert('ops', points());
    const compacted = await collectionFileSizes(join(dir, 'ops'));
    expect(compacted.snapshot).toBeGreaterThan(5 * 384 * 4);
    expect(compacted.log).toBe(0);
    // A small delete stays in the log: compaction waits until the log is half the snapshot's size.
    await store.delete('ops', { ids: ['petstore:createPet'] });
    expect((await collectionFileSizes(join(dir, 'ops'))).log).toBeGreaterThan(0);
    const before = await store.search('ops', lexicalVector('pets orders users'), { limit: 10 });
    await store.close();

    const reopened = open();
    expect(await reopened.search('ops', lexicalVector('pets orders users'), { limit: 10 })).toEqual(before);
    expect(await reopened.count('ops')).toBe(4);
  });

  it('a crash between writing the snapshot and emptying the log only replays the log again', async () => {
    const store = open();
    await store.upsert('ops', points());
    await store.delete('ops', { ids: ['store:deleteOrder'] });
    const logPath = join(dir, 'ops', 'log.jsonl');
    await copyFile(logPath, `${logPath}.saved`);
    await store.compact('ops');
    await store.close();
    // As if the process died right after the snapshot's rename: the old log is still there.
    await copyFile(`${logPath}.saved`, logPath);
    await rm(`${logPath}.saved`);

    const reopened = open();
    expect(await reopened.count('ops')).toBe(4);
    expect((await reopened.search('ops', lexicalVector('delete an order'), { limit: 5 })).map((h) => h.id)).not.toContain('store:deleteOrder');
  });

  it('a damaged line in the middle is skipped, the rest kept', async () => {
    const store = open();
    await store.upsert('ops', points().slice(0, 1));
    await store.upsert('ops', points().slice(1, 2));
    await store.upsert('ops', points().slice(2, 3));
    await store.close();
    const log = join(dir, 'ops', 'log.jsonl');
    const lines = (await readFile(log, 'utf8')).split('\n');
    lines[1] = 'garbage';
    await writeFile(log, lines.join('\n'));
    expect(await open().count('ops')).toBe(2);
  });

  it('a closed store refuses work', async () => {
    const store = open();
    await store.close();
    expect((await rejection(store.count('ops'))).code).toBe('UNAVAILABLE');
  });
});
