import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import { freePort } from '@autoweave/testing';
import { createServer, type Server } from 'node:http';
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

/**
 * What the official client puts on the wire for our calls, recorded by a
 * local HTTP server that answers with Qdrant's documented response shapes.
 * It checks our wiring (order of calls, wait=true, batches, ids), not
 * Qdrant's behaviour: that is the live test's job.
 */
describe('qdrant - requests on the wire (recording server)', () => {
  const seen: { method: string; path: string; apiKey?: string; body: unknown }[] = [];
  let server: Server;
  let url: string;
  let created = false;

  beforeAll(async () => {
    const port = await freePort();
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown) : undefined;
        seen.push({ method: req.method!, path: req.url!, apiKey: req.headers['api-key'] as string | undefined, body });
        const reply = (status: number, result: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(status < 300 ? { result, status: 'ok', time: 0 } : { status: { error: result } }));
        };
        const path = req.url!.split('?')[0]!;
        if (req.method === 'GET' && path === '/collections/ops') {
          return created ? reply(200, { config: { params: { vectors: { size: 4, distance: 'Cosine' } } } }) : reply(404, 'Not found: Collection `ops` doesn\u2019t exist!');
        }
        if (req.method === 'PUT' && path === '/collections/ops') {
          created = true;
          return reply(200, true);
        }
        if (req.method === 'PUT' && path === '/collections/ops/points') return reply(200, { operation_id: 1, status: 'completed' });
        if (req.method === 'PUT' && path === '/collections/ops/index') return reply(200, { operation_id: 2, status: 'completed' });
        if (req.method === 'POST' && path === '/collections/ops/points/query') {
          return reply(200, { points: [{ id: pointIdOf('k1'), version: 1, score: 0.87, payload: { id: 'k1', title: 't', [KEY_PAYLOAD_FIELD]: 'k1' } }] });
        }
        if (req.method === 'POST' && path === '/collections/ops/points/count') return reply(200, { count: 3 });
        if (req.method === 'POST' && path === '/collections/ops/points/delete') return reply(200, { operation_id: 3, status: 'completed' });
        if (req.method === 'POST' && path === '/collections/forbidden/points/count') return reply(403, 'forbidden');
        return reply(404, `no route ${req.method} ${path}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('creates the collection on the first write, upserts in batches with wait=true, then indexes payload fields', async () => {
    const adapter = new QdrantDestination(testContext());
    const config = factory.validateAdapterConfig('qdrant', 'destination', {
      url,
      apiKey: API_KEY,
      collection: 'ops',
      batchSize: 2,
      payloadIndexes: [{ field: 'kind', schema: 'keyword' }],
    }, 'd') as unknown as QdrantDestinationConfig;
    const items = ['k1', 'k2', 'k3'].map((id) => ({ id, kind: 'read', vector: lexicalVector(id, 4) }));
    expect(await adapter.writeBatch(items, config)).toEqual({ written: 3 });
    const calls = seen.map((s) => `${s.method} ${s.path.split('?')[0]}${s.path.includes('wait=true') ? ' wait' : ''}`);
    expect(calls).toEqual(['GET /collections/ops', 'PUT /collections/ops', 'PUT /collections/ops/points wait', 'PUT /collections/ops/points wait', 'PUT /collections/ops/index wait']);
    expect(seen[1]!.body).toEqual({ vectors: { size: 4, distance: 'Cosine' } });
    expect((seen[2]!.body as { points: { id: string }[] }).points.map((p) => p.id)).toEqual([pointIdOf('k1'), pointIdOf('k2')]);
    expect(seen[4]!.body).toEqual({ field_name: 'kind', field_schema: 'keyword' });
    expect(seen.every((s) => s.apiKey === API_KEY)).toBe(true);

    // A second batch: no collection or index calls again.
    seen.length = 0;
    await adapter.writeBatch(items.slice(0, 1), config);
    expect(seen.map((s) => `${s.method} ${s.path.split('?')[0]}`)).toEqual(['PUT /collections/ops/points']);

    // A vector of another size is refused before sending.
    await expect(adapter.writeBatch([{ id: 'x', vector: [1, 2] }], config)).rejects.toMatchObject({ code: 'VALIDATION' });
    await adapter.close();
  });

  it('search, count, delete and errors through the VectorStore interface', async () => {
    const store = createVectorStore({ qdrant: { url, apiKey: API_KEY } }, testContext());
    seen.length = 0;
    const hits = await store.search('ops', [1, 0, 0, 0], { limit: 5, filter: { kind: 'read' } });
    expect(hits).toEqual([{ id: 'k1', score: 0.87, payload: { id: 'k1', title: 't' } }]);
    expect(seen[0]!.body).toMatchObject({ query: [1, 0, 0, 0], limit: 5, with_payload: true, filter: { must: [{ key: 'kind', match: { value: 'read' } }] } });
    expect(await store.count('ops', { kind: 'read' })).toBe(3);
    await store.delete('ops', { ids: ['k1'] });
    expect(seen.at(-1)!.body).toEqual({ points: [pointIdOf('k1')] });
    expect(seen.at(-1)!.path).toContain('wait=true');
    expect(await store.search('missing', [1, 0, 0, 0], { limit: 1 })).toEqual([]);
    const err = (await store.count('forbidden').catch((e: unknown) => e)) as AppError;
    expect(err).toMatchObject({ code: 'UNAUTHORIZED', details: { status: 403 } });
    expect(err.message).not.toContain(API_KEY);
    await store.close();
  });

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
