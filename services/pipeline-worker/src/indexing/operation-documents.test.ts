import { describe, expect, it } from '@jest/globals';
import { loadOpenApi } from '@autoweave/openapi';
import { LexicalEmbedder } from '@autoweave/storage';
import { endpointItems, operationKey, operationText, schemaNamesUsed } from './operation-documents.js';
import { PETSTORE_OPERATIONS, petstoreSpec } from './testing/petstore-spec.js';

const integration = { id: '6f1c2d8e-1b0a-4c1e-9a57-0d4f5b1f2a33', name: 'petstore', description: 'The pet shop API' };

async function items() {
  const spec = petstoreSpec();
  return endpointItems(integration, await loadOpenApi({ spec }), 'hash-1', spec);
}

function cosine(a: number[], b: number[]): number {
  return a.reduce((sum, v, i) => sum + v * b[i]!, 0);
}

describe('endpoint indexing - operation documents', () => {
  it('makes one item per operation, keyed <integrationId>:<operationId>, and one for the integration first', async () => {
    const all = await items();
    expect(all[0]).toMatchObject({ id: integration.id, kind: 'integration', integrationName: 'petstore', title: 'Swagger Petstore - OpenAPI 3.0', specHash: 'hash-1', operationCount: PETSTORE_OPERATIONS.length });
    expect(all.slice(1).map((i) => i.operationId)).toEqual(PETSTORE_OPERATIONS);
    expect(all.find((i) => i.operationId === 'deleteOrder')).toMatchObject({
      id: operationKey(integration.id, 'deleteOrder'),
      kind: 'operation',
      integrationId: integration.id,
      integrationName: 'petstore',
      method: 'DELETE',
      path: '/store/order/{orderId}',
      summary: 'Delete purchase order by ID',
      tags: ['store'],
      specHash: 'hash-1',
    });
  });

  it('embeds summary, description, method and path, operationId, tags and each parameter name with its description', async () => {
    const op = (await loadOpenApi({ spec: petstoreSpec() })).operations.find((o) => o.operationId === 'findPetsByStatus')!;
    expect(operationText(op).split('\n')).toEqual([
      'Finds Pets by status',
      'Multiple status values can be provided with comma separated strings',
      'GET /pet/findByStatus',
      'findPetsByStatus',
      'tags: pet',
      'status: Status values that need to be considered for filter',
    ]);
  });

  it('leaves out an operationId derived from the method and path (it repeats that line), and empty fields', () => {
    const text = operationText({ operationId: 'GET /health', method: 'get', path: '/health', tags: [], parameters: [], responses: {}, security: [], deprecated: false, description: '  ' });
    expect(text).toBe('GET /health');
  });

  it.each([
    ['addPet', ['Pet']], // through #/components/requestBodies/Pet
    ['findPetsByStatus', ['Pet']], // inside an array schema of a response
    ['placeOrder', ['Order']],
    ['uploadFile', ['ApiResponse']],
    ['deleteOrder', []],
    ['getUserByName', ['User']],
  ])('finds the schemas %s uses directly: %j', async (operationId, expected) => {
    const op = (await loadOpenApi({ spec: petstoreSpec() })).operations.find((o) => o.operationId === operationId)!;
    expect(schemaNamesUsed(petstoreSpec(), op.path, op.method)).toEqual(expected);
    expect((await items()).find((i) => i.operationId === operationId)!.schemas).toEqual(expected.map((n) => `${integration.id}:${n}`));
  });

  it('finds no schema where the document has no such operation, or is not an object', () => {
    expect(schemaNamesUsed(petstoreSpec(), '/nope', 'get')).toEqual([]);
    expect(schemaNamesUsed('text', '/pet', 'put')).toEqual([]);
  });

  it.each([
    ['find pets by status', 'findPetsByStatus'],
    ['delete an order', 'deleteOrder'],
    ['upload an image of a pet', 'uploadFile'],
    ['place an order for a pet', 'placeOrder'],
    ['get a user by their user name', 'getUserByName'],
    ['login', 'loginUser'],
  ])('ranks, with the lexical embedder, "%s" nearest to %s', async (query, expected) => {
    const embedder = new LexicalEmbedder(384);
    const ops = (await items()).filter((i) => i.kind === 'operation');
    const vectors = await embedder.embed(ops.map((o) => String(o.text)));
    const [q] = await embedder.embed([query]);
    const ranked = ops.map((o, i) => ({ id: o.operationId, score: cosine(q!, vectors[i]!) })).sort((a, b) => b.score - a.score);
    expect(ranked[0]!.id).toBe(expected);
  });
});
