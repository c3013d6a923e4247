import { describe, expect, it } from '@jest/globals';
import { findHealthOperation, findOperation, type HttpMethod, type Operation, type ParsedApi } from './index.js';

function operation(method: HttpMethod, path: string, operationId = `${method.toUpperCase()} ${path}`, requiredParam = false): Operation {
  return {
    operationId,
    method,
    path,
    tags: [],
    parameters: requiredParam ? [{ name: 'id', in: 'query', required: true, schema: { type: 'string' } }] : [],
    responses: {},
    security: [],
    deprecated: false,
  };
}

function api(operations: Operation[]): ParsedApi {
  return { openapiVersion: '3.0', title: 't', version: '1', servers: [], securitySchemes: {}, operations };
}

describe('findOperation', () => {
  it('finds by operationId, explicit or derived', () => {
    const a = api([operation('get', '/pets', 'listPets'), operation('post', '/pets')]);
    expect(findOperation(a, 'listPets')?.path).toBe('/pets');
    expect(findOperation(a, 'POST /pets')?.method).toBe('post');
    expect(findOperation(a, 'nope')).toBeUndefined();
  });
});

describe('findHealthOperation', () => {
  it.each([
    ['exact /health wins over everything', [operation('get', '/healthz'), operation('get', '/status'), operation('get', '/health')], '/health'],
    ['then a path ending in health or healthz', [operation('get', '/ping'), operation('get', '/api/v1/healthz')], '/api/v1/healthz'],
    ['health in the path beats ready/live', [operation('get', '/ready'), operation('get', '/health/live')], '/health/live'],
    ['the shorter path on a tie', [operation('get', '/internal/status'), operation('get', '/status')], '/status'],
    ['ready, live, ping and status count', [operation('get', '/pets'), operation('get', '/readyz')], '/readyz'],
    ['an operationId can be the hint', [operation('get', '/pets'), operation('get', '/srv/info', 'getServiceStatus')], '/srv/info'],
    ['only GET', [operation('post', '/health'), operation('get', '/ping')], '/ping'],
    ['no required parameters', [operation('get', '/health', 'health', true), operation('get', '/status')], '/status'],
    ['nothing that looks like health', [operation('get', '/pets'), operation('get', '/orders/{id}')], undefined],
    ['a path parameter named status does not count', [operation('get', '/pets/{status}', 'byStatus', true)], undefined],
  ])('%s', (_label, operations, expectedPath) => {
    expect(findHealthOperation(api(operations))?.path).toBe(expectedPath);
  });
});
