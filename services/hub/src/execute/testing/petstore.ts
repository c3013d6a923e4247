import type { Operation, OperationParameter, SecurityScheme } from '@autoweave/openapi';

/** Test support: petstore-like operations as libs/openapi hands them over (dereferenced). */

export function operation(over: Partial<Operation> & Pick<Operation, 'operationId'>): Operation {
  return { method: 'get', path: '/', tags: [], parameters: [], responses: {}, security: [], deprecated: false, ...over };
}

export function param(name: string, location: OperationParameter['in'], schema: Record<string, unknown>, extra: Partial<OperationParameter> = {}): OperationParameter {
  return { name, in: location, required: location === 'path', schema, ...extra };
}

export const petSchema = {
  type: 'object',
  required: ['id', 'name'],
  properties: {
    id: { type: 'integer', format: 'int64', readOnly: true },
    name: { type: 'string', minLength: 1 },
    tag: { type: 'string', nullable: true },
    status: { type: 'string', enum: ['available', 'pending', 'sold'] },
    photoUrls: { type: 'array', items: { type: 'string', format: 'uri' } },
  },
  additionalProperties: false,
};

export const getPetById = operation({
  operationId: 'getPetById',
  path: '/pets/{petId}',
  parameters: [
    param('petId', 'path', { type: 'integer', format: 'int64' }),
    param('X-Request-Id', 'header', { type: 'string' }),
    param('fields', 'query', { type: 'array', items: { type: 'string' } }),
  ],
});

export const listPets = operation({
  operationId: 'listPets',
  path: '/pets',
  parameters: [
    param('limit', 'query', { type: 'integer', format: 'int32', minimum: 1, maximum: 100 }),
    param('tags', 'query', { type: 'array', items: { type: 'string' } }),
    param('since', 'query', { type: 'string', format: 'date-time', nullable: true }),
    param('status', 'query', { type: 'string', enum: ['available', 'pending', 'sold'] }),
    param('session', 'cookie', { type: 'string' }),
  ],
});

export const addPet = operation({
  operationId: 'addPet',
  method: 'post',
  path: '/pets',
  requestBody: { required: true, contentType: 'application/json', schema: petSchema },
});

export const updatePet = operation({
  operationId: 'updatePet',
  method: 'put',
  path: '/pets/{petId}',
  parameters: [param('petId', 'path', { type: 'integer' })],
  requestBody: { required: true, contentType: 'application/json', schema: petSchema },
});

export const securitySchemes: Record<string, SecurityScheme> = {
  api_key: { type: 'apiKey', name: 'X-API-Key', in: 'header' },
  api_key_query: { type: 'apiKey', name: 'api_key', in: 'query' },
  api_key_cookie: { type: 'apiKey', name: 'sid', in: 'cookie' },
  bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
  basicAuth: { type: 'http', scheme: 'Basic' },
  petstore_auth: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'http://127.0.0.1:1/token', scopes: { 'read:pets': '', 'write:pets': '' } } } },
  mtls: { type: 'mutualTLS' },
};
