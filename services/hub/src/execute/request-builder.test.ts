import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import type { Operation } from '@autoweave/openapi';
import { ParamValidator, type ExecuteParams } from './params.js';
import { buildRequest, joinUrl } from './request-builder.js';
import { startEchoServer, type Echo, type TestServer } from './testing/http-fixtures.js';
import { addPet, getPetById, listPets, operation, param } from './testing/petstore.js';
import { UpstreamClient } from './upstream-client.js';

const styled = operation({
  operationId: 'styled',
  path: '/items/{ids}/{label}{matrix}',
  parameters: [
    param('ids', 'path', { type: 'array', items: { type: 'integer' } }),
    param('label', 'path', { type: 'array' }, { style: 'label' }),
    param('matrix', 'path', { type: 'object' }, { style: 'matrix', explode: true }),
    param('csv', 'query', { type: 'array' }, { explode: false }),
    param('spaced', 'query', { type: 'array' }, { style: 'spaceDelimited', explode: false }),
    param('piped', 'query', { type: 'array' }, { style: 'pipeDelimited', explode: false }),
    param('point', 'query', { type: 'object' }),
    param('packed', 'query', { type: 'object' }, { explode: false }),
    param('filter', 'query', { type: 'object' }, { style: 'deepObject', explode: true }),
    param('X-Tags', 'header', { type: 'array' }),
    param('X-Obj', 'header', { type: 'object' }, { explode: true }),
    param('prefs', 'cookie', { type: 'array' }, { explode: false }),
  ],
});

const merge = operation({ operationId: 'patchPet', method: 'patch', path: '/pets/{petId}', parameters: [param('petId', 'path', { type: 'string' })], requestBody: { required: true, contentType: 'application/merge-patch+json' } });
const form = operation({ operationId: 'login', method: 'post', path: '/login', requestBody: { required: true, contentType: 'application/x-www-form-urlencoded' } });
const text = operation({ operationId: 'note', method: 'post', path: '/notes', requestBody: { required: true, contentType: 'text/plain' } });
const multipart = operation({ operationId: 'upload', method: 'post', path: '/upload', requestBody: { required: true, contentType: 'multipart/form-data' } });

interface Expected {
  method?: string;
  path?: string;
  rawQuery?: string;
  headers?: Record<string, string | undefined>;
  cookies?: Record<string, string>;
  body?: string;
}

describe('buildRequest, sent through UpstreamClient to an echo server', () => {
  let server: TestServer;
  const client = new UpstreamClient();
  const validator = new ParamValidator();

  beforeAll(async () => {
    server = await startEchoServer();
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  const roundTrip = async (op: Operation, params: ExecuteParams, prefix = '/v1'): Promise<Echo> => {
    const request = buildRequest(op, validator.validate(op, params), `${server.url}${prefix}`);
    const res = await client.send(request, { timeoutMs: 5_000 });
    expect(res.status).toBe(200);
    return res.body as Echo;
  };

  const cases: Array<[string, Operation, ExecuteParams, Expected]> = [
    ['path param, base path prefix, accept header', getPetById, { petId: 42 }, { method: 'GET', path: '/v1/pets/42', rawQuery: '', headers: { accept: 'application/json', 'content-type': undefined } }],
    ['path values are percent-encoded', operation({ operationId: 'byName', path: '/pets/{name}', parameters: [param('name', 'path', { type: 'string' })] }), { name: 'a b/c?#%' }, { path: '/v1/pets/a%20b%2Fc%3F%23%25' }],
    ['header param by any case, query array exploded', getPetById, { petId: 1, 'x-request-id': 'req-1', fields: ['name', 'tag'] }, { rawQuery: 'fields=name&fields=tag', headers: { 'x-request-id': 'req-1' } }],
    ['query scalars encoded in the spec order, cookie', listPets, { limit: 10, status: 'sold', since: '2024-01-01T00:00:00Z', session: 'a b' }, { rawQuery: 'limit=10&since=2024-01-01T00%3A00%3A00Z&status=sold', cookies: { session: 'a%20b' } }],
    ['null query value is empty', listPets, { since: null }, { rawQuery: 'since=' }],
    [
      'path styles simple/label/matrix, query styles form/space/pipe/deepObject, header and cookie styles',
      styled,
      {
        ids: [1, 2, 3],
        label: ['x', 'y'],
        matrix: { r: 1, g: 2 },
        csv: ['a', 'b c'],
        spaced: ['a', 'b'],
        piped: ['a', 'b'],
        point: { x: 1, y: 2 },
        packed: { k: 'v', k2: 'v2' },
        filter: { status: 'sold', age: { min: 1 }, tag: ['a', 'b'] },
        'X-Tags': ['t1', 't2'],
        'X-Obj': { a: 1, b: 2 },
        prefs: ['dark', 'compact'],
      },
      {
        path: '/v1/items/1,2,3/.x,y;r=1;g=2',
        rawQuery: 'csv=a,b%20c&spaced=a%20b&piped=a|b&x=1&y=2&packed=k,v,k2,v2&filter[status]=sold&filter[age][min]=1&filter[tag]=a&filter[tag]=b',
        headers: { 'x-tags': 't1,t2', 'x-obj': 'a=1,b=2' },
        cookies: { prefs: 'dark,compact' },
      },
    ],
    ['JSON body', addPet, { body: { name: 'Rex', tag: null } }, { method: 'POST', path: '/v1/pets', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: '{"name":"Rex","tag":null}' }],
    ['JSON-like content type kept', merge, { petId: 'p1', body: { tag: 'x' } }, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: '{"tag":"x"}' }],
    ['form body', form, { body: { user: 'a b', roles: ['x', 'y'], meta: { k: 'v' } } }, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'user=a%20b&roles=x&roles=y&meta[k]=v' }],
    ['text body as is', text, { body: 'hello\nworld' }, { headers: { 'content-type': 'text/plain' }, body: 'hello\nworld' }],
  ];

  it.each(cases)('%s', async (_name, op, params, expected) => {
    const echo = await roundTrip(op, params);
    if (expected.method) expect(echo.method).toBe(expected.method);
    if (expected.path) expect(echo.path).toBe(expected.path);
    if (expected.rawQuery !== undefined) expect(echo.rawQuery).toBe(expected.rawQuery);
    for (const [name, value] of Object.entries(expected.headers ?? {})) expect(echo.headers[name]).toBe(value);
    if (expected.cookies) expect(echo.cookies).toEqual(expected.cookies);
    if (expected.body !== undefined) expect(echo.body).toBe(expected.body);
  });

  it('a base URL without a prefix, with a trailing slash, or with a query of its own', async () => {
    expect((await roundTrip(getPetById, { petId: 1 }, '')).path).toBe('/pets/1');
    expect((await roundTrip(getPetById, { petId: 1 }, '/api/')).path).toBe('/api/pets/1');
    const echo = await roundTrip(getPetById, { petId: 1, fields: ['a'] }, '/v2?tenant=t1');
    expect([echo.path, echo.rawQuery]).toEqual(['/v2/pets/1', 'tenant=t1&fields=a']);
  });
});

describe('buildRequest refusals', () => {
  const validator = new ParamValidator();
  const refusals: Array<[string, () => unknown, string]> = [
    ['a base URL that is not http(s)', () => buildRequest(getPetById, validator.validate(getPetById, { petId: 1 }), 'file:///etc'), 'the base URL must be http or https, not file'],
    ['no base URL', () => buildRequest(getPetById, validator.validate(getPetById, { petId: 1 }), ''), 'the integration has no valid base URL: set config.baseUrl or a server url in the spec'],
    ['header injection', () => buildRequest(getPetById, validator.validate(getPetById, { petId: 1, 'X-Request-Id': 'a\r\nx-evil: 1' }), 'http://h'), 'invalid parameters: X-Request-Id (must not contain line breaks)'],
    ['a path value missing (unvalidated input)', () => buildRequest(getPetById, { path: {}, query: {}, header: {}, cookie: {} }, 'http://h'), 'invalid parameters: petId (is required)'],
    ['multipart bodies', () => buildRequest(multipart, { path: {}, query: {}, header: {}, cookie: {}, body: { f: 1 } }, 'http://h'), 'request bodies of type multipart/form-data are not supported'],
  ];
  it.each(refusals)('%s', (_name, call, message) => {
    expect(call).toThrow(AppError);
    expect(call).toThrow(message);
  });

  it('joinUrl keeps the base path once', () => {
    expect(joinUrl('http://h/v1', '/pets', [])).toBe('http://h/v1/pets');
    expect(joinUrl('http://h/v1/', '/pets', ['a=1'])).toBe('http://h/v1/pets?a=1');
    expect(joinUrl('https://h:8443', 'pets', [])).toBe('https://h:8443/pets');
  });
});
