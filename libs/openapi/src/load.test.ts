import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { AppError } from '@autoweave/contracts';
import Ajv2020Module from 'ajv/dist/2020.js';
import { loadOpenApi, selfContainedSchema, type LoadErrorDetails, type Operation, type ParsedApi } from './index.js';

// ajv is CommonJS with `exports.default`
const Ajv2020 = Ajv2020Module.default;

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const json = (name: string): Record<string, unknown> => JSON.parse(fixture(name)) as Record<string, unknown>;

/** Runs `work`, expects an AppError VALIDATION, returns it. */
async function rejection(work: Promise<unknown>): Promise<AppError & { details: LoadErrorDetails }> {
  try {
    await work;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect(e.code).toBe('VALIDATION');
    return e as AppError & { details: LoadErrorDetails };
  }
  throw new Error('expected a VALIDATION error');
}

const op = (api: ParsedApi, id: string): Operation => {
  const found = api.operations.find((o) => o.operationId === id);
  if (!found) throw new Error(`no operation ${id}`);
  return found;
};

const PET = {
  allOf: [
    {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string' }, category: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } } },
    },
    { type: 'object', required: ['id'], properties: { id: { type: 'integer', format: 'int64' } } },
  ],
};
const ERROR = { type: 'object', properties: { code: { type: 'integer' }, message: { type: 'string' } } };

describe('loadOpenApi on the 3.0 petstore', () => {
  it('keeps title, version, servers and every security scheme', async () => {
    const api = await loadOpenApi({ spec: json('petstore-3.0.json') });
    expect(api.openapiVersion).toBe('3.0');
    expect(api.title).toBe('Petstore');
    expect(api.version).toBe('1.2.0');
    expect(api.sourceUrl).toBeUndefined();
    expect(api.convertedFrom).toBeUndefined();
    expect(api.servers).toEqual([
      {
        url: 'https://{env}.petstore.example.com/{basePath}',
        variables: { env: { default: 'api', enum: ['api', 'staging'] }, basePath: { default: 'v1' } },
      },
      { url: '/v2', variables: {} },
    ]);
    expect(api.securitySchemes).toEqual({
      apiKeyHeader: { type: 'apiKey', name: 'X-API-Key', in: 'header' },
      apiKeyQuery: { type: 'apiKey', name: 'api_key', in: 'query' },
      apiKeyCookie: { type: 'apiKey', name: 'session', in: 'cookie' },
      bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      basicAuth: { type: 'http', scheme: 'basic' },
      oauth: {
        type: 'oauth2',
        flows: {
          clientCredentials: {
            tokenUrl: 'https://auth.petstore.example.com/token',
            scopes: { 'pets:read': 'read pets', 'pets:write': 'write pets' },
          },
        },
      },
    });
  });

  it('extracts every operation: explicit and derived ids, in document order', async () => {
    const api = await loadOpenApi({ spec: json('petstore-3.0.json') });
    expect(api.operations.map((o) => [o.operationId, o.method, o.path])).toEqual([
      ['listPets', 'get', '/pets'],
      ['createPet', 'post', '/pets'],
      ['GET /pets/{petId}', 'get', '/pets/{petId}'],
      ['deletePet', 'delete', '/pets/{petId}'],
      ['getTree', 'get', '/tree'],
      ['health', 'get', '/health'],
    ]);
  });

  it('merges path-level and operation-level parameters (the operation wins by name and location)', async () => {
    const api = await loadOpenApi({ spec: json('petstore-3.0.json') });
    expect(op(api, 'listPets')).toEqual({
      operationId: 'listPets',
      method: 'get',
      path: '/pets',
      summary: 'List pets',
      tags: ['pets'],
      parameters: [
        // the path-level x-trace-id header, replaced by the operation's X-Trace-Id (header names are case-insensitive)
        { name: 'X-Trace-Id', in: 'header', required: true, description: 'overridden at operation level', schema: { type: 'string', format: 'uuid' } },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', maximum: 100 } },
        { name: 'tag', in: 'query', required: false, style: 'form', explode: true, schema: { type: 'array', items: { type: 'string' } } },
        // the Accept header parameter is ignored, as the specification says
      ],
      responses: {
        '200': { description: 'A page of pets', contentType: 'application/json', schema: { type: 'array', items: PET } },
        default: { description: 'Error', contentType: 'application/json', schema: ERROR },
      },
      security: [{ apiKeyHeader: [] }],
      deprecated: false,
    });
    const get = op(api, 'GET /pets/{petId}');
    expect(get.description).toBe('No operationId: derived as GET /pets/{petId}');
    expect(get.parameters).toEqual([
      { name: 'petId', in: 'path', required: true, schema: { type: 'integer', format: 'int64' } },
      { name: 'session', in: 'cookie', required: true, schema: { type: 'string' } },
    ]);
    expect(get.responses).toEqual({
      '200': { description: 'A pet', contentType: 'application/hal+json', schema: PET },
      '404': { description: 'Not found', contentType: 'application/problem+json', schema: ERROR },
    });
  });

  it('prefers the JSON request body and keeps required', async () => {
    const api = await loadOpenApi({ spec: json('petstore-3.0.json') });
    expect(op(api, 'createPet').requestBody).toEqual({ required: true, contentType: 'application/json', schema: PET.allOf[0] });
    expect(op(api, 'listPets').requestBody).toBeUndefined();
  });

  it.each([
    ['listPets', 'inherits the document security', [{ apiKeyHeader: [] }]],
    ['createPet', 'operation-level security overrides', [{ bearerAuth: [] }]],
    ['GET /pets/{petId}', 'alternatives, each with schemes that apply together', [{ apiKeyQuery: [] }, { apiKeyCookie: [], basicAuth: [] }]],
    ['deletePet', 'an explicit security: [] means no auth', []],
    ['getTree', 'scopes are kept', [{ oauth: ['pets:read'] }]],
  ])('security of %s: %s', async (id, _label, expected) => {
    const api = await loadOpenApi({ spec: json('petstore-3.0.json') });
    expect(op(api, id).security).toEqual(expected);
  });

  it('keeps deprecated and tags', async () => {
    const api = await loadOpenApi({ spec: json('petstore-3.0.json') });
    expect(op(api, 'deletePet').deprecated).toBe(true);
    expect(op(api, 'deletePet').tags).toEqual([]);
  });

  it('keeps a recursive schema as a $ref at the point of recursion, and the result is JSON-safe', async () => {
    const api = await loadOpenApi({ spec: json('petstore-3.0.json') });
    expect(op(api, 'getTree').responses['200']!.schema).toEqual({
      type: 'object',
      properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } },
    });
    expect(JSON.parse(JSON.stringify(api))).toEqual(api);
  });

  it('lists what the $refs left at recursion points stand for, and builds a self-contained schema from them', async () => {
    const api = await loadOpenApi({ spec: json('petstore-3.0.json') });
    const node = {
      type: 'object',
      properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } },
    };
    expect(api.refSchemas).toEqual({ '#/components/schemas/Node': node });
    const schema = selfContainedSchema(api, op(api, 'getTree').responses['200']!.schema);
    const local = { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/Node' } } } };
    expect(schema).toEqual({ ...local, $defs: { Node: local } });
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate({ name: 'root', children: [{ name: 'a', children: [{ name: 'b', children: [] }] }] })).toBe(true);
    expect(validate({ name: 'root', children: [{ name: 'a', children: [{ name: 42 }] }] })).toBe(false);
  });

  it('gives each operation the outermost schema of a web of recursive schemas, with $refs below it', async () => {
    const spec = {
      openapi: '3.0.3',
      info: { title: 'web', version: '1' },
      paths: {
        '/customers/{id}': {
          get: {
            operationId: 'getCustomer',
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
            responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Customer' } } } } },
          },
        },
      },
      components: {
        schemas: {
          Address: { type: 'object', properties: { city: { type: 'string' } } },
          Customer: {
            type: 'object',
            properties: {
              billing: { $ref: '#/components/schemas/Address' },
              shipping: { $ref: '#/components/schemas/Address' },
              subscriptions: { type: 'array', items: { $ref: '#/components/schemas/Subscription' } },
            },
          },
          Subscription: { type: 'object', properties: { customer: { $ref: '#/components/schemas/Customer' } } },
        },
      },
    };
    const api = await loadOpenApi({ spec });
    const address = { type: 'object', properties: { city: { type: 'string' } } };
    const customer = {
      type: 'object',
      properties: { billing: address, shipping: address, subscriptions: { type: 'array', items: { $ref: '#/components/schemas/Subscription' } } },
    };
    expect(api.operations[0]!.responses['200']!.schema).toEqual(customer);
    expect(api.refSchemas).toEqual({
      '#/components/schemas/Subscription': { type: 'object', properties: { customer: { $ref: '#/components/schemas/Customer' } } },
      '#/components/schemas/Customer': customer,
    });
  });

  it('does not change the object it was given', async () => {
    const spec = json('petstore-3.0.json');
    const before = JSON.stringify(spec);
    await loadOpenApi({ spec });
    expect(JSON.stringify(spec)).toBe(before);
  });
});

describe('loadOpenApi on other versions and formats', () => {
  it('accepts OpenAPI 3.1 (type arrays, $ref with a sibling description, webhooks)', async () => {
    const api = await loadOpenApi({ text: fixture('petstore-3.1.json') });
    expect(api.openapiVersion).toBe('3.1');
    expect(api.title).toBe('Petstore 3.1');
    expect(api.operations).toEqual([
      {
        operationId: 'getPet',
        method: 'get',
        path: '/pets/{petId}',
        tags: [],
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'A pet',
            contentType: 'application/json',
            schema: {
              type: 'object',
              required: ['id'],
              description: 'the pet',
              properties: { id: { type: 'string' }, nickname: { type: ['string', 'null'] }, age: { type: 'integer', exclusiveMinimum: 0 } },
            },
          },
        },
        security: [],
        deprecated: false,
      },
    ]);
  });

  it('reads YAML text (with a merge key)', async () => {
    const api = await loadOpenApi({ text: fixture('petstore.yaml') });
    expect(api.title).toBe('YAML Petstore');
    expect(api.servers).toEqual([{ url: '/', variables: {} }]);
    expect(api.operations).toHaveLength(1);
    expect(api.operations[0]!.responses).toEqual({
      '200': { description: 'Pets', contentType: 'application/json', schema: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } } },
      '500': { description: 'Server error' },
    });
  });

  it('converts Swagger 2.0 to OpenAPI 3.0', async () => {
    const api = await loadOpenApi({ spec: json('swagger-2.0.json') });
    expect(api.openapiVersion).toBe('3.0');
    expect(api.convertedFrom).toBe('2.0');
    expect(api.servers).toEqual([{ url: 'https://petstore.example.com/v1', variables: {} }]);
    expect(api.securitySchemes).toEqual({
      api_key: { type: 'apiKey', name: 'api_key', in: 'header' },
      basic: { type: 'http', scheme: 'basic' },
      oauth: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://petstore.example.com/token', scopes: { read: 'read pets' } } } },
    });
    const pet = { type: 'object', required: ['name'], properties: { name: { type: 'string' }, tag: { type: 'string', nullable: true } } };
    expect(api.operations).toEqual([
      {
        operationId: 'getPetById',
        method: 'get',
        path: '/pets/{petId}',
        tags: [],
        parameters: [
          { name: 'petId', in: 'path', required: true, schema: { type: 'integer', format: 'int64' } },
          { name: 'verbose', in: 'query', required: false, schema: { type: 'boolean' } },
        ],
        responses: { '200': { description: 'A pet', contentType: 'application/json', schema: pet }, '404': { description: 'Not found' } },
        security: [{ api_key: [] }],
        deprecated: false,
      },
      {
        operationId: 'updatePet',
        method: 'put',
        path: '/pets/{petId}',
        tags: [],
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'integer', format: 'int64' } }],
        requestBody: { required: true, contentType: 'application/json', schema: pet },
        responses: { '200': { description: 'Updated' } },
        security: [{ oauth: ['read'] }],
        deprecated: false,
      },
    ]);
  });

  it('validates a Swagger 2.0 document as Swagger before converting it', async () => {
    const spec = json('swagger-2.0.json');
    delete (spec as { info: Record<string, unknown> }).info.title;
    const err = await rejection(loadOpenApi({ spec }));
    expect(err.message).toContain("must have required property 'title'");
    expect(err.details.location).toBe('/info');
  });
});

describe('loadOpenApi rejects bad documents with what and where', () => {
  it.each([
    ['invalid-response.json', '/paths/~1pets/get/responses/200', /must have required property 'description'/],
    ['invalid-missing-ref.json', '/paths/~1pets/get/responses/200', /Missing \$ref pointer "#\/components\/responses\/Nope"/],
    ['invalid-path-param.json', '/paths/~1pets~1{petId}/get', /missing path parameter\(s\) for `\{petId\}`/],
  ])('%s -> %s', async (name, location, reason) => {
    const err = await rejection(loadOpenApi({ spec: json(name) }));
    expect(err.details.location).toBe(location);
    expect(err.message).toContain(`invalid at ${location}`);
    expect(err.message).toMatch(reason);
    expect(err.details.problems[0]).toEqual({ message: expect.stringMatching(reason), location });
  });

  it.each([
    ['no version', { info: { title: 't', version: '1' }, paths: {} }, /"openapi" version field .* is missing/, '/openapi'],
    ['OpenAPI 3.2', { openapi: '3.2.0', info: { title: 't', version: '1' }, paths: {} }, /OpenAPI 3\.2\.0 is not supported/, '/openapi'],
    ['Swagger 1.2', { swagger: '1.2', info: {} }, /"swagger": "1\.2" is not supported/, '/swagger'],
    ['a reserved root key', { openapi: '3.0.3', 'x-autoweave-external': {} }, /reserved/, '/x-autoweave-external'],
  ])('%s', async (_label, spec, reason, location) => {
    const err = await rejection(loadOpenApi({ spec }));
    expect(err.message).toMatch(reason);
    expect(err.details.location).toBe(location);
  });

  it('names both operations of a duplicated operationId', async () => {
    const err = await rejection(loadOpenApi({ spec: json('duplicate-operation-ids.json') }));
    expect(err.message).toBe(
      'duplicate operationId: operationId "listPets" is used by both GET /pets (/paths/~1pets/get/operationId) ' +
        'and GET /animals (/paths/~1animals/get/operationId)',
    );
    expect(err.details.location).toBe('/paths/~1animals/get/operationId');
  });

  it('refuses file: references without reading the disk', async () => {
    const err = await rejection(loadOpenApi({ spec: json('file-ref.json') }));
    expect(err.message).toContain('file: references are not resolved');
    expect(err.details.location).toBe('/paths/~1secrets/get/responses/200/content/application~1json/schema');
  });

  it.each([
    ['a relative path', 'pets.json#/Pet', /is relative, but the document was not loaded from a URL/],
    ['an absolute path', '/etc/passwd', /is relative, but the document was not loaded from a URL/],
    ['a data: URL', 'data:application/json,{}', /only http and https references are resolved, not data:/],
    ['a plain-name fragment', 'https://example.com/x.json#Pet', /plain-name fragment/],
  ])('refuses a $ref to %s when the document has no URL', async (_label, ref, reason) => {
    const spec = {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: { '/a': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: ref } } } } } } } },
    };
    const err = await rejection(loadOpenApi({ spec }));
    expect(err.message).toMatch(reason);
    expect(err.details.location).toBe('/paths/~1a/get/responses/200/content/application~1json/schema');
  });

  it.each([
    ['broken JSON', '{"openapi": "3.0.3",', /the OpenAPI text is not valid JSON/],
    ['broken YAML', 'openapi: 3.0.3\ninfo:\n  title: [unclosed\n', /the OpenAPI text is not valid YAML at line \d+, column \d+/],
    ['a YAML alias bomb', 'a: &a [x, x, x, x, x, x, x, x, x, x]\n' + Array.from({ length: 12 }, (_, i) => `${'b'.repeat(i + 1)}: &${'b'.repeat(i + 1)} [${Array(10).fill(i === 0 ? '*a' : '*' + 'b'.repeat(i)).join(', ')}]`).join('\n'), /not valid YAML/],
    ['empty text', '   ', /empty/],
    ['a scalar', '"just a string"', /must be a JSON\/YAML object/],
  ])('refuses %s', async (_label, text, reason) => {
    const err = await rejection(loadOpenApi({ text }));
    expect(err.message).toMatch(reason);
  });

  it.each([
    ['nothing', {}, /give the OpenAPI document as spec, text or url/],
    ['spec and text', { spec: {}, text: '{}' }, /not both/],
    ['a spec that is not an object', { spec: 'openapi: 3.0.0' }, /openAPISpec must be an object/],
    ['a file: url', { url: 'file:///etc/passwd' }, /openAPIUrl must be an http\(s\) URL, not file:/],
    ['a malformed url', { url: 'not a url' }, /openAPIUrl must be an http\(s\) URL/],
  ])('refuses a source with %s', async (_label, source, reason) => {
    const err = await rejection(loadOpenApi(source));
    expect(err.message).toMatch(reason);
  });

  it('refuses a spec larger than maxBytes', async () => {
    const spec = { ...json('petstore-3.0.json'), 'x-padding': 'x'.repeat(4096) };
    const err = await rejection(loadOpenApi({ spec }, { maxBytes: 4096 }));
    expect(err.message).toBe('openAPISpec document exceeds 4 KiB');
  });

  it('refuses text larger than the default 5 MiB', async () => {
    const text = JSON.stringify({ openapi: '3.0.3', 'x-padding': 'x'.repeat(5 * 1024 * 1024) });
    const err = await rejection(loadOpenApi({ text }));
    expect(err.message).toBe('the OpenAPI document exceeds 5 MiB');
  });

  it('refuses a reference bomb that would expand past maxDereferencedBytes', async () => {
    const schemas: Record<string, unknown> = { L40: { type: 'string' } };
    for (let i = 0; i < 40; i++) {
      schemas[`L${i}`] = { type: 'object', properties: { a: { $ref: `#/components/schemas/L${i + 1}` }, b: { $ref: `#/components/schemas/L${i + 1}` } } };
    }
    const spec = {
      openapi: '3.0.3',
      info: { title: 'bomb', version: '1' },
      paths: { '/a': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/L0' } } } } } } } },
      components: { schemas },
    };
    const err = await rejection(loadOpenApi({ spec }));
    expect(err.message).toMatch(/grows past 40 MiB once its \$refs are resolved/);
  });

  it('rejects invalid options as a programming error', async () => {
    await expect(loadOpenApi({ spec: {} }, { maxBytes: -1 })).rejects.toThrow(RangeError);
  });
});
