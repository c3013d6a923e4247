import { describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import type { Operation } from '@autoweave/openapi';
import { ParamValidator, type ExecuteParams, type ResolvedParams } from './params.js';
import { addPet, getPetById, listPets, operation, param, updatePet } from './testing/petstore.js';

const validator = new ParamValidator();

function validationError(op: Operation, params: ExecuteParams): AppError {
  try {
    validator.validate(op, params);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('VALIDATION');
    return err as AppError;
  }
  throw new Error('expected a VALIDATION error');
}

const empty: ResolvedParams = { path: {}, query: {}, header: {}, cookie: {} };

/** id in both path and query; a query parameter literally named `query`. */
const collide = operation({
  operationId: 'getThing',
  path: '/things/{id}',
  parameters: [param('id', 'path', { type: 'integer' }), param('id', 'query', { type: 'string' }), param('query', 'query', { type: 'string' })],
});

const recursiveNode: Record<string, unknown> = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } };
(recursiveNode.properties as Record<string, unknown>).children = { type: 'array', items: recursiveNode };
const addTree = operation({ operationId: 'addTree', method: 'post', path: '/trees', requestBody: { required: true, contentType: 'application/json', schema: recursiveNode } });

const openapi31 = operation({
  operationId: 'search31',
  path: '/search',
  parameters: [
    param('page', 'query', { type: ['integer', 'null'], minimum: 1 }),
    param('kind', 'query', { const: 'dog' }),
    param('point', 'query', { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }], items: false }),
    param('score', 'query', { type: 'number', minimum: 0, exclusiveMinimum: true }), // 3.0 boolean form
    param('broken', 'query', { type: 'string', pattern: '([' }), // a pattern ajv cannot compile: not validated
  ],
});

describe('ParamValidator - accepted inputs', () => {
  const cases: Array<[string, Operation, ExecuteParams | undefined, ResolvedParams]> = [
    ['path param by name', getPetById, { petId: 1 }, { ...empty, path: { petId: 1 } }],
    ['header matched case-insensitively, resolved under its spec name', getPetById, { petId: 1, 'x-request-id': 'r1' }, { ...empty, path: { petId: 1 }, header: { 'X-Request-Id': 'r1' } }],
    ['header by its exact name', getPetById, { petId: 1, 'X-REQUEST-ID': 'r1' }, { ...empty, path: { petId: 1 }, header: { 'X-Request-Id': 'r1' } }],
    ['query array and cookie', listPets, { tags: ['a', 'b'], limit: 10, session: 's' }, { ...empty, query: { tags: ['a', 'b'], limit: 10 }, cookie: { session: 's' } }],
    ['no params at all', listPets, undefined, empty],
    ['undefined values count as absent', listPets, { limit: undefined }, empty],
    ['3.0 nullable accepts null', listPets, { since: null }, { ...empty, query: { since: null } }],
    ['body with nullable field, readOnly required id omitted', addPet, { body: { name: 'Rex', tag: null } }, { ...empty, body: { name: 'Rex', tag: null } }],
    ['grouped form for colliding names', collide, { path: { id: 7 }, query: { id: 'x' } }, { ...empty, path: { id: 7 }, query: { id: 'x' } }],
    ['a parameter named like a location', collide, { id: undefined, path: { id: 7 }, query: 'cats' }, { ...empty, path: { id: 7 }, query: { query: 'cats' } }],
    ['recursive (cyclic) body schema', addTree, { body: { name: 'a', children: [{ name: 'b', children: [] }] } }, { ...empty, body: { name: 'a', children: [{ name: 'b', children: [] }] } }],
    ['3.1 type arrays, const, prefixItems', openapi31, { page: null, kind: 'dog', point: [1, 2], score: 0.5 }, { ...empty, query: { page: null, kind: 'dog', point: [1, 2], score: 0.5 } }],
    ['an uncompilable schema validates nothing', openapi31, { broken: 'anything' }, { ...empty, query: { broken: 'anything' } }],
  ];
  it.each(cases)('%s', (_name, op, params, expected) => {
    expect(validator.validate(op, params)).toEqual(expected);
  });
});

describe('ParamValidator - refused inputs', () => {
  const cases: Array<[string, Operation, ExecuteParams, string]> = [
    ['missing required path param', getPetById, {}, 'invalid parameters: petId (is required)'],
    ['wrong type (no coercion)', getPetById, { petId: '1' }, 'invalid parameters: petId (must be integer)'],
    ['unknown parameter', getPetById, { petId: 1, colour: 'red' }, 'invalid parameters: colour (is not a parameter of getPetById)'],
    ['header with a wrong type', getPetById, { petId: 1, 'x-request-id': 5 }, 'invalid parameters: X-Request-Id (must be string)'],
    ['array items', getPetById, { petId: 1, fields: ['a', 2] }, 'invalid parameters: fields[1] (must be string)'],
    ['range and int32', listPets, { limit: 0 }, 'invalid parameters: limit (must be >= 1)'],
    ['enum names the allowed values', listPets, { status: 'lost' }, 'invalid parameters: status (must be one of: "available", "pending", "sold")'],
    ['format', listPets, { since: 'yesterday' }, 'invalid parameters: since (must match format "date-time")'],
    ['not nullable', getPetById, { petId: null }, 'invalid parameters: petId (must be integer)'],
    ['missing required body', addPet, {}, 'invalid parameters: body (is required)'],
    ['body schema violations', addPet, { body: { tag: 3, extra: true } }, 'invalid parameters: body.name (is required), body.extra (is not allowed), body.tag (must be string,null)'],
    ['param and body problems together', updatePet, { petId: 'x', body: {} }, 'invalid parameters: petId (must be integer), body.name (is required)'],
    ['nested errors in a recursive body', addTree, { body: { name: 'a', children: [{ children: [] }] } }, 'invalid parameters: body.children[0].name (is required)'],
    ['body on an operation without one', getPetById, { petId: 1, body: {} }, 'invalid parameters: body (is not accepted: getPetById takes no request body)'],
    ['ambiguous flat name', collide, { id: 1 }, 'invalid parameters: id (is ambiguous: it is a path and a query parameter; give it as {path: {...}} or {query: {...}})'],
    ['unknown name in a group', collide, { path: { id: 1, nope: 2 } }, 'invalid parameters: path.nope (is not a path parameter of this operation)'],
    ['3.0 boolean exclusiveMinimum', openapi31, { score: 0 }, 'invalid parameters: score (must be > 0)'],
    ['3.1 const', openapi31, { kind: 'cat' }, 'invalid parameters: kind (must be equal to constant)'],
  ];
  it.each(cases)('%s', (_name, op, params, message) => {
    expect(validationError(op, params).message).toBe(message);
  });

  it('details list every field with its problems', () => {
    const err = validationError(updatePet, { petId: 'x', body: { name: '', photoUrls: [1] }, extra: 1 });
    expect(err.details).toEqual({
      fields: [
        { field: 'extra', problems: ['is not a parameter of updatePet'] },
        { field: 'petId', problems: ['must be integer'] },
        { field: 'body.name', problems: ['must NOT have fewer than 1 characters'] },
        { field: 'body.photoUrls[0]', problems: ['must be string'] },
      ],
    });
  });

  it('a path parameter must not be empty', () => {
    const op = operation({ operationId: 'getByName', path: '/pets/{name}', parameters: [param('name', 'path', { type: 'string' })] });
    expect(validationError(op, { name: '' }).message).toBe('invalid parameters: name (must not be empty)');
  });

  it('a header given flat and grouped is refused as given twice', () => {
    expect(validationError(getPetById, { petId: 1, 'x-request-id': 'a', header: { 'X-Request-Id': 'b' } }).message).toBe(
      'invalid parameters: header.X-Request-Id (is given twice (X-Request-Id in header))',
    );
  });

  it('params that are not an object are refused', () => {
    expect(validationError(getPetById, [1] as unknown as ExecuteParams).message).toBe('invalid parameters: params must be an object');
  });

  it('messages never quote the values given', () => {
    const secret = 'sk_live_SECRET_VALUE';
    const err = validationError(addPet, { body: { name: 1, tag: 7, status: secret, extra: secret, photoUrls: [secret] } });
    expect(err.message).toContain('body.status');
    expect(JSON.stringify(err.toBody())).not.toContain(secret);
  });
});

describe('ParamValidator - compilation', () => {
  it('compiles an operation once and reuses it (keyed by the Operation object)', () => {
    const op = operation({ operationId: 'cached', parameters: [param('n', 'query', { type: 'integer' })] });
    const local = new ParamValidator();
    expect(local.validate(op, { n: 1 }).query).toEqual({ n: 1 });
    op.parameters = [param('n', 'query', { type: 'string' })]; // ignored: the compiled form is cached
    expect(local.validate(op, { n: 2 }).query).toEqual({ n: 2 });
    const copy = { ...op }; // a new Operation object compiles anew
    expect(() => local.validate(copy, { n: 3 })).toThrow('n (must be string)');
  });

  it('ignores declared Accept, Content-Type and Authorization header parameters', () => {
    const op = operation({ operationId: 'h', parameters: [param('Authorization', 'header', { type: 'string' }, { required: true })] });
    expect(validator.validate(op, {})).toEqual(empty);
  });
});
