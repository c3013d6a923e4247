// OpenAPI documents of several shapes for the generator tests (built in code; loaded with loadOpenApi).

const ok = { '200': { description: 'ok' } };

/** https server with a base path, an apiKey scheme, /health. */
export const petstore = {
  openapi: '3.0.3',
  info: { title: 'Petstore', version: '1.0.0' },
  servers: [{ url: 'https://petstore.example.com/v1' }],
  components: {
    securitySchemes: { api_key: { type: 'apiKey', name: 'X-API-Key', in: 'header' } },
  },
  security: [{ api_key: [] }],
  paths: {
    '/pets': {
      get: { operationId: 'listPets', responses: ok },
      post: { operationId: 'createPet', responses: ok },
    },
    '/pets/{petId}': {
      parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }],
      get: { operationId: 'getPet', responses: ok },
    },
    '/health': { get: { operationId: 'health', security: [], responses: ok } },
  },
};

/** No servers, no security, no health operation, a templated first segment. */
export const noServers = {
  openapi: '3.1.0',
  info: { title: 'Tenant items', version: '0.1.0' },
  paths: {
    '/{tenant}/items': {
      parameters: [{ name: 'tenant', in: 'path', required: true, schema: { type: 'string' } }],
      get: { operationId: 'listItems', responses: ok },
    },
  },
};

/** Server variables (port 9090 by default, base path /api). */
export const serverVariables = {
  openapi: '3.0.3',
  info: { title: 'Variables', version: '2.0.0' },
  servers: [
    {
      url: '{scheme}://{host}:{port}/api',
      variables: {
        scheme: { default: 'http', enum: ['http', 'https'] },
        host: { default: 'orders.internal' },
        port: { default: '9090' },
      },
    },
  ],
  paths: {
    '/orders': { get: { operationId: 'listOrders', responses: ok } },
    '/orders/{id}': {
      get: { operationId: 'getOrder', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: ok },
    },
    '/status/ready': { get: { operationId: 'ready', responses: ok } },
  },
};

/** Several security schemes (one defined but never required), http server on port 80. */
export const manySchemes = {
  openapi: '3.0.3',
  info: { title: 'Many schemes', version: '1.2.3' },
  servers: [{ url: 'http://crm.example.com' }],
  components: {
    securitySchemes: {
      ApiKeyAuth: { type: 'apiKey', name: 'api_key', in: 'query' },
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      basicAuth: { type: 'http', scheme: 'basic' },
      oauth: {
        type: 'oauth2',
        flows: { clientCredentials: { tokenUrl: 'https://auth.example.com/token', scopes: { read: 'read' } } },
      },
      unused: { type: 'apiKey', name: 'X-Unused', in: 'header' },
    },
  },
  paths: {
    '/contacts': {
      get: { operationId: 'listContacts', security: [{ bearer: [] }, { ApiKeyAuth: [] }], responses: ok },
      post: { operationId: 'createContact', security: [{ oauth: ['read'] }], responses: ok },
    },
    '/admin/export': { post: { operationId: 'export', security: [{ basicAuth: [] }], responses: ok } },
    '/healthz': { get: { operationId: 'healthz', responses: ok } },
  },
};

/** Hundreds of paths (40 resources x 8), GET /metrics and /healthz. */
export function manyPaths(resources = 40): Record<string, unknown> {
  const paths: Record<string, unknown> = {
    '/healthz': { get: { operationId: 'healthz', responses: ok } },
    '/metrics': { get: { operationId: 'metrics', responses: ok } },
  };
  for (let r = 0; r < resources; r++) {
    const res = `resource${String(r).padStart(2, '0')}`;
    const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
    paths[`/${res}`] = { get: { operationId: `list_${res}`, responses: ok }, post: { operationId: `create_${res}`, responses: ok } };
    paths[`/${res}/{id}`] = {
      parameters: [id],
      get: { operationId: `get_${res}`, responses: ok },
      put: { operationId: `put_${res}`, responses: ok },
      delete: { operationId: `delete_${res}`, responses: ok },
    };
    for (const sub of ['history', 'tags', 'links', 'comments', 'attachments', 'events']) {
      paths[`/${res}/{id}/${sub}`] = { parameters: [id], get: { operationId: `${sub}_${res}`, responses: ok } };
    }
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Big API', version: '9.9.9' },
    servers: [{ url: 'http://big.example.com:8081' }],
    paths,
  };
}

/** Recursively reverses the key order of every object (arrays keep their order). */
export function shuffleKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(shuffleKeys) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).reverse()) out[key] = shuffleKeys((value as Record<string, unknown>)[key]);
    return out as T;
  }
  return value;
}
