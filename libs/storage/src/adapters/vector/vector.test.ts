import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lexicalVector } from '../../embedders/lexical.js';
import { factory, fieldOf, processor, testContext, validationError } from '../../testing/processor-harness.js';
import type { VectorDestinationConfig } from '../../vector/destination.js';
import { EmbeddedVectorStore } from '../../vector/embedded-store.js';
import { DefaultVectorDestination } from './vector.adapter.js';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'aw-vector-adapter-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const OPERATIONS = [
  { id: 'petstore:listPets', integrationId: 'petstore', summary: 'List all pets', path: 'GET /pets' },
  { id: 'petstore:showPetById', integrationId: 'petstore', summary: 'Info for a specific pet', path: 'GET /pets/{petId}' },
  { id: 'store:deleteOrder', integrationId: 'store', summary: 'Delete purchase order by ID', path: 'DELETE /store/order/{orderId}' },
  { id: 'users:createUser', integrationId: 'users', summary: 'Create user', path: 'POST /user' },
];

describe('vector destination - the default store', () => {
  it('items -> embed (lexical) -> vector destination -> search finds the right operation', async () => {
    const context = testContext({ dataDir });
    const toText = await processor('transform', { expression: "$merge([$, {'text': path & ' ' & summary}])" }, context);
    const embed = await processor('embed', { field: 'text', embedder: { type: 'lexical' } }, context);
    const items = [];
    for (const op of OPERATIONS) items.push(await embed((await toText(op)) as Record<string, unknown>));

    const config = factory.validateAdapterConfig('vector', 'destination', { collection: 'operations' }, 'destination') as unknown as VectorDestinationConfig;
    const destination = new DefaultVectorDestination(context);
    expect(await destination.writeBatch(items as Record<string, unknown>[], config)).toEqual({ written: 4 });
    expect(await destination.writeBatch(items as Record<string, unknown>[], config)).toEqual({ written: 4 });

    const hits = await destination.search(config, lexicalVector('list all pets'), { limit: 2 });
    expect(hits[0]!.id).toBe('petstore:listPets');
    expect(hits[0]!.payload).toMatchObject({ integrationId: 'petstore', summary: 'List all pets' });
    expect(hits[0]!.payload).not.toHaveProperty('vector');
    const orders = await destination.search(config, lexicalVector('delete an order'), { limit: 1, filter: { integrationId: 'store' } });
    expect(orders.map((h) => h.id)).toEqual(['store:deleteOrder']);
    expect((await destination.healthCheck(config)).ok).toBe(true);
    await destination.close();

    // The data is under <dataDir>/vectors/<collection> and survives the adapter.
    const reopened = new EmbeddedVectorStore({ dir: join(dataDir, 'vectors') });
    expect(await reopened.count('operations')).toBe(4);
    await reopened.close();
  });

  it('uses the process store from the context when there is one', async () => {
    const shared = new EmbeddedVectorStore({ dir: join(dataDir, 'elsewhere') });
    const destination = new DefaultVectorDestination(testContext({ dataDir, vectorStore: shared }));
    const config = factory.validateAdapterConfig('vector', 'destination', { collection: 'c', keyField: 'key', vectorField: 'emb', dimensions: 3 }, 'd') as unknown as VectorDestinationConfig;
    await destination.writeBatch([{ key: 1, emb: [1, 0, 0], name: 'one' }], config);
    expect(await shared.search('c', [1, 0, 0], { limit: 1 })).toEqual([{ id: '1', score: 1, payload: { key: 1, name: 'one' } }]);
    await expect(destination.writeBatch([{ key: 2, emb: [1, 0] }], config)).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('expects 3') });
    await expect(destination.writeBatch([{ key: 3, name: 'no vector' }], config)).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('"emb"') });
    expect(await shared.count('c')).toBe(1);
    await destination.close();
    await shared.close();
  });

  it.each([
    [{}, 'd.config.collection'],
    [{ collection: 'a/../b' }, 'd.config.collection'],
    [{ collection: 'c', vectorField: 'a.b' }, 'd.config.vectorField'],
    [{ collection: 'c', url: 'http://qdrant' }, 'd.config.url'],
  ])('config %p -> VALIDATION naming %s', (config, field) => {
    expect(fieldOf(validationError(() => factory.validateAdapterConfig('vector', 'destination', config, 'd')))).toBe(field);
  });
});
