import { describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import { extractOperations, extractSecuritySchemes, extractServers } from './index.js';

// extractOperations on documents that were not dereferenced: local $refs to parameters, request
// bodies and responses are followed; schemas keep their $ref.
const raw = {
  openapi: '3.0.3',
  info: { title: 'raw', version: '1' },
  security: [{ key: [] }],
  paths: {
    '/items/{itemId}': {
      parameters: [{ $ref: '#/components/parameters/ItemId' }, { name: 'v', in: 'query', schema: { type: 'string' } }],
      patch: {
        parameters: [{ name: 'v', in: 'query', required: true, schema: { type: 'integer' } }, { name: 'itemId', in: 'path', schema: { type: 'string' } }],
        requestBody: { content: { 'text/plain': { schema: { type: 'string' } }, 'application/merge-patch+json': { schema: { $ref: '#/components/schemas/Item' } } } },
        responses: { '200': { $ref: '#/components/responses/Ok' }, '4XX': { description: 'client error' }, 'x-ignored': { description: 'an extension' } },
      },
    },
    'x-not-a-path': { get: {} },
  },
  components: {
    parameters: { ItemId: { name: 'itemId', in: 'path', required: true, schema: { type: 'integer' } } },
    responses: { Ok: { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } } } },
    schemas: { Item: { type: 'object' } },
  },
};

describe('extractOperations', () => {
  it('works on a document that was not dereferenced', () => {
    expect(extractOperations(raw)).toEqual([
      {
        operationId: 'PATCH /items/{itemId}',
        method: 'patch',
        path: '/items/{itemId}',
        tags: [],
        parameters: [
          // path params are always required, even when the operation's override forgets it
          { name: 'itemId', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'v', in: 'query', required: true, schema: { type: 'integer' } },
        ],
        requestBody: { required: false, contentType: 'application/merge-patch+json', schema: { $ref: '#/components/schemas/Item' } },
        responses: {
          '200': { description: 'ok', contentType: 'application/json', schema: { $ref: '#/components/schemas/Item' } },
          '4XX': { description: 'client error' },
        },
        security: [{ key: [] }],
        deprecated: false,
      },
    ]);
  });

  it.each([
    ['two explicit ids', { '/a': { get: { operationId: 'x' } }, '/b': { post: { operationId: 'x' } } }, 'operationId "x" is used by both GET /a (/paths/~1a/get/operationId) and POST /b (/paths/~1b/post/operationId)'],
    ['an explicit id equal to a derived one', { '/a': { get: {} }, '/b': { get: { operationId: 'GET /a' } } }, 'operationId "GET /a" is used by both GET /a (/paths/~1a/get) and GET /b (/paths/~1b/get/operationId)'],
  ])('refuses duplicates: %s', (_label, paths, problem) => {
    let error: unknown;
    try {
      extractOperations({ openapi: '3.0.3', paths });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('VALIDATION');
    expect((error as AppError).message).toBe(`duplicate operationId: ${problem}`);
  });

  it('reports every duplicate', () => {
    const paths = { '/a': { get: { operationId: 'x' }, put: { operationId: 'y' } }, '/b': { get: { operationId: 'x' }, put: { operationId: 'y' } } };
    expect(() => extractOperations({ paths })).toThrow(/\(and 1 more duplicate\)$/);
  });

  it('refuses a document that is not an object', () => {
    expect(() => extractOperations('openapi')).toThrow(AppError);
  });

  it('returns nothing for a document without paths', () => {
    expect(extractOperations({ openapi: '3.1.0', components: {} })).toEqual([]);
  });
});

describe('extractServers and extractSecuritySchemes', () => {
  it('defaults to one server "/" and stringifies variable values', () => {
    expect(extractServers({})).toEqual([{ url: '/', variables: {} }]);
    expect(extractServers({ servers: [] })).toEqual([{ url: '/', variables: {} }]);
    expect(extractServers({ servers: [{ url: 'https://{a}.x', variables: { a: { default: 1, enum: [1, 2] } } }] })).toEqual([
      { url: 'https://{a}.x', variables: { a: { default: '1', enum: ['1', '2'] } } },
    ]);
  });

  it('maps every kind of scheme and leaves out malformed ones', () => {
    const doc = {
      components: {
        securitySchemes: {
          oidc: { type: 'openIdConnect', openIdConnectUrl: 'https://id.example.com/.well-known/openid-configuration' },
          mtls: { type: 'mutualTLS' },
          ref: { $ref: '#/components/x-schemes/bearer' },
          broken: { type: 'apiKey', name: 'k', in: 'body' },
          unknown: { type: 'magic' },
        },
        'x-schemes': { bearer: { type: 'http', scheme: 'BEARER' } },
      },
    };
    expect(extractSecuritySchemes(doc)).toEqual({
      oidc: { type: 'openIdConnect', openIdConnectUrl: 'https://id.example.com/.well-known/openid-configuration' },
      mtls: { type: 'mutualTLS' },
      ref: { type: 'http', scheme: 'bearer' },
    });
  });
});
