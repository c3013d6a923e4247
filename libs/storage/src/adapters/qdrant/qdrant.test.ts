import { afterAll, describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import { freePort } from '@autoweave/testing';
import { randomUUID } from 'node:crypto';
import { lexicalVector } from '../../embedders/lexical.js';
import { factory, fieldOf, testContext, validationError } from '../../testing/processor-harness.js';
import { itemsToPoints } from '../../vector/points.js';
import { createVectorStore } from '../../vector/create-vector-store.js';
import { pointIdOf, POINT_ID_NAMESPACE, uuidV5 } from './point-id.js';
import { QdrantDestination } from './qdrant.adapter.js';
import type { QdrantDestinationConfig } from './qdrant.config.js';
import {
  collectionDimensions,
  collectionParams,
  deleteByIdsRequest,
  inBatches,
  KEY_PAYLOAD_FIELD,
  payloadIndexRequests,
  toHit,
  toQdrantFilter,
  toQdrantPoints,
} from './requests.js';

const API_KEY = 'qdrant-secret-key-123';

describe('qdrant - point ids', () => {
  it('is RFC 4122 v5 (known test vector) and uses a fixed namespace', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(uuidV5('autoweave.point', '6ba7b811-9dad-11d1-80b4-00c04fd430c8')).toBe(POINT_ID_NAMESPACE);
  });

  it('the same key gives the same id; different keys differ; ids are v5 UUIDs', () => {
    const id = pointIdOf('petstore:listPets');
    expect(pointIdOf('petstore:listPets')).toBe(id);
    expect(pointIdOf('petstore:listpets')).not.toBe(id);
    expect(pointIdOf('42')).toBe(pointIdOf(String(42)));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('qdrant - request building', () => {
  const items = [
    { id: 'a', vector: [0.1, 0.2], title: 'first', tags: ['x'] },
    { id: 7, vector: [0.3, 0.4], title: 'second' },
  ];

  it('points: UUID from the key, payload = item without the vector plus the key', () => {
    const points = toQdrantPoints(itemsToPoints(items, { keyField: 'id', vectorField: 'vector' }));
    expect(points).toEqual([
      { id: pointIdOf('a'), vector: [0.1, 0.2], payload: { id: 'a', title: 'first', tags: ['x'], [KEY_PAYLOAD_FIELD]: 'a' } },
      { id: pointIdOf('7'), vector: [0.3, 0.4], payload: { id: 7, title: 'second', [KEY_PAYLOAD_FIELD]: '7' } },
    ]);
  });

  it.each([
    [{ vector: [1] }, /key field "id"/],
    [{ id: '', vector: [1] }, /key field "id"/],
    [{ id: 'k' }, /"vector" must be a non-empty array of numbers \(did an embed processor run\?\)/],
    [{ id: 'k', vector: [1, 'x'] }, /must be a non-empty array of numbers/],
    [{ id: 'k', vector: [] }, /must be a non-empty array of numbers/],
  ])('an item %p is refused before anything is sent', (item, message) => {
    const err = validationError(() => itemsToPoints([item], { keyField: 'id', vectorField: 'vector' }));
    expect(err.message).toMatch(message);
  });

  it('batches of at most batchSize', () => {
    expect(inBatches(Array.from({ length: 600 }, (_, i) => i), 256).map((b) => b.length)).toEqual([256, 256, 88]);
    expect(inBatches([], 10)).toEqual([]);
    expect(() => inBatches([1], 0)).toThrow(/positive integer/);
  });

  it('collection: the embedding\u2019s size and cosine distance; the size read back from collection info', () => {
    expect(collectionParams(384)).toEqual({ vectors: { size: 384, distance: 'Cosine' } });
    expect(() => collectionParams(0)).toThrow();
    expect(collectionDimensions({ config: { params: { vectors: { size: 768, distance: 'Cosine' } } } })).toBe(768);
    expect(collectionDimensions({ config: { params: { vectors: { text: { size: 768 } } } } })).toBeUndefined();
  });

  it('payload indexes, filters, deletes and hits', () => {
    expect(payloadIndexRequests([{ field: 'integrationId', schema: 'keyword' }])).toEqual([{ field_name: 'integrationId', field_schema: 'keyword', wait: true }]);
    expect(toQdrantFilter({ kind: 'read', 'meta.level': 2 })).toEqual({
      must: [
        { key: 'kind', match: { value: 'read' } },
        { key: 'meta.level', match: { value: 2 } },
      ],
    });
    expect(toQdrantFilter({})).toBeUndefined();
    expect(deleteByIdsRequest(['a'])).toEqual({ wait: true, points: [pointIdOf('a')] });
    expect(toHit({ id: pointIdOf('a'), score: 0.9, payload: { title: 'x', [KEY_PAYLOAD_FIELD]: 'a' } })).toEqual({ id: 'a', score: 0.9, payload: { title: 'x' } });
  });

  it.each([
    [{ url: 'http://q:6333' }, 'destination.config.collection'],
    [{ url: 'http://q:6333', collection: '../etc' }, 'destination.config.collection'],
    [{ url: 'qdrant:6333', collection: 'ops' }, 'destination.config.url'],
    [{ url: 'http://q:6333', collection: 'ops', payloadIndexes: [{ field: 'a', schema: 'geo-ish' }] }, 'destination.config.payloadIndexes.0.schema'],
    [{ url: 'http://q:6333', collection: 'ops', dimensions: 0 }, 'destination.config.dimensions'],
  ])('config %p -> VALIDATION naming %s', (config, field) => {
    const err = validationError(() => factory.validateAdapterConfig('qdrant', 'destination', { ...config, apiKey: API_KEY }, 'destination'));
    expect(fieldOf(err)).toBe(field);
    expect(JSON.stringify(err.toBody())).not.toContain(API_KEY);
  });

  it('is a destination only, with defaults filled in', () => {
    expect(() => factory.validateAdapterConfig('qdrant', 'source', { url: 'http://q', collection: 'c' }, 'source')).toThrow(/cannot be a source/);
    expect(factory.validateAdapterConfig('qdrant', 'destination', { url: 'http://q:6333', collection: 'ops' }, 'd')).toEqual({
      url: 'http://q:6333',
      collection: 'ops',
      keyField: 'id',
      vectorField: 'vector',
      batchSize: 256,
      timeoutMs: 30000,
      payloadIndexes: [],
    });
  });

  it('createVectorStore picks Qdrant when a URL is configured, else the embedded store', async () => {
    const qdrant = createVectorStore({ qdrant: { url: 'http://127.0.0.1:6333' } }, testContext());
    const embedded = createVectorStore({}, testContext());
    expect([qdrant.kind, embedded.kind]).toEqual(['qdrant', 'embedded']);
    await qdrant.close();
    await embedded.close();
  });
});

describe('qdrant - without a server', () => {
  it('an unreachable server is UNAVAILABLE, with no key in the error', async () => {
    const port = await freePort();
    const adapter = new QdrantDestination(testContext());
    const config = factory.validateAdapterConfig('qdrant', 'destination', { url: `http://127.0.0.1:${port}`, apiKey: API_KEY, collection: 'ops', timeoutMs: 2000 }, 'd');
    const err = (await adapter.writeBatch([{ id: 'a', vector: [1, 0] }], config as unknown as QdrantDestinationConfig).catch((e: unknown) => e)) as AppError;
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('UNAVAILABLE');
    expect(JSON.stringify(err.toBody())).not.toContain(API_KEY);
    const health = await adapter.healthCheck(config as unknown as QdrantDestinationConfig);
    expect(health.ok).toBe(false);
    await adapter.close();
  });
});

const QDRANT_URL = process.env.QDRANT_URL;
if (!QDRANT_URL) process.stdout.write('qdrant live test skipped: set QDRANT_URL (e.g. http://127.0.0.1:6333) to run it against a real Qdrant\n');

(QDRANT_URL ? describe : describe.skip)('qdrant - live (QDRANT_URL)', () => {
  const collection = `autoweave_test_${randomUUID().slice(0, 8)}`;
  const store = createVectorStore({ qdrant: { url: QDRANT_URL ?? '', apiKey: process.env.QDRANT_API_KEY } }, testContext());

  afterAll(async () => {
    const { QdrantClient } = await import('@qdrant/js-client-rest');
    await new QdrantClient({ url: QDRANT_URL!, apiKey: process.env.QDRANT_API_KEY, checkCompatibility: false }).deleteCollection(collection).catch(() => undefined);
    await store.close();
  });

  it('writes through the adapter, searches, filters, counts, deletes; rewriting does not duplicate', async () => {
    const adapter = new QdrantDestination(testContext());
    const config = factory.validateAdapterConfig('qdrant', 'destination', {
      url: QDRANT_URL,
      apiKey: process.env.QDRANT_API_KEY,
      collection,
      batchSize: 2,
      payloadIndexes: [{ field: 'kind', schema: 'keyword' }],
    }, 'd') as unknown as QdrantDestinationConfig;
    const items = [
      { id: 'listPets', text: 'GET /pets list pets', kind: 'read' },
      { id: 'deleteOrder', text: 'DELETE /orders/{id} delete an order', kind: 'write' },
      { id: 'createUser', text: 'POST /users create a user', kind: 'write' },
    ].map((i) => ({ ...i, vector: lexicalVector(i.text) }));
    await adapter.writeBatch(items, config);
    await adapter.writeBatch(items, config);
    expect(await store.count(collection)).toBe(3);
    const hits = await store.search(collection, lexicalVector('list all pets'), { limit: 2 });
    expect(hits[0]).toMatchObject({ id: 'listPets', payload: { text: 'GET /pets list pets', kind: 'read' } });
    expect((await store.search(collection, lexicalVector('list all pets'), { limit: 5, filter: { kind: 'write' } })).map((h) => h.id).sort()).toEqual(['createUser', 'deleteOrder']);
    await store.delete(collection, { ids: ['listPets'] });
    await store.delete(collection, { filter: { kind: 'write' } });
    expect(await store.count(collection)).toBe(0);
    await expect(adapter.writeBatch([{ id: 'x', vector: [1, 2, 3] }], config)).rejects.toMatchObject({ code: 'VALIDATION' });
    await adapter.close();
  });
});
