import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real local upstream for hub tests and the execute benchmark: a small pet
 * API with an API key on reads, a bearer token on writes, a health endpoint,
 * an endpoint that fails on demand and one that is slow.
 */
export const PET_API_KEY = 'pet-key-SECRET-123';
export const PET_TOKEN = 'pet-token-SECRET-456';

export interface PetApi {
  url: string;
  /** Requests received, by "METHOD /path". */
  hits: Map<string, number>;
  /** When true, /flaky and /health answer 500/503. */
  failing: boolean;
  lastHeaders?: IncomingMessage['headers'];
  close(): Promise<void>;
}

export const petApiSpec = (baseUrl: string) => ({
  openapi: '3.0.3',
  info: { title: 'Pets', version: '1.0.0' },
  servers: [{ url: baseUrl }],
  components: {
    securitySchemes: {
      key: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      bearer: { type: 'http', scheme: 'bearer' },
    },
    schemas: {
      Pet: { type: 'object', required: ['name'], properties: { id: { type: 'integer' }, name: { type: 'string', minLength: 1 } } },
      Node: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } },
    },
  },
  security: [{ key: [] }],
  paths: {
    '/pets': {
      get: {
        operationId: 'listPets',
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } }],
        responses: { 200: { description: 'pets' } },
      },
      post: {
        operationId: 'createPet',
        security: [{ bearer: [] }],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } } },
        responses: { 201: { description: 'created' } },
      },
    },
    '/pets/{petId}': {
      get: {
        operationId: 'getPet',
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: { 200: { description: 'a pet' }, 404: { description: 'none' } },
      },
    },
    '/tree': {
      post: {
        operationId: 'createTree',
        security: [],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } },
        responses: { 201: { description: 'created' } },
      },
    },
    '/flaky': { get: { operationId: 'flaky', security: [], responses: { 200: { description: 'ok' } } } },
    '/slow': { get: { operationId: 'slow', security: [], responses: { 200: { description: 'ok' } } } },
    '/health': { get: { operationId: 'health', security: [], responses: { 200: { description: 'ok' } } } },
  },
});

const pets = [
  { id: 1, name: 'Rex' },
  { id: 2, name: 'Tom' },
  { id: 3, name: 'Kit' },
];

export async function startPetApi(): Promise<PetApi> {
  const api: PetApi = { url: '', hits: new Map(), failing: false, close: async () => undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => route(api, req, Buffer.concat(chunks).toString(), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return api;
}

function route(api: PetApi, req: IncomingMessage, body: string, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const key = `${req.method} ${url.pathname}`;
  api.hits.set(key, (api.hits.get(key) ?? 0) + 1);
  api.lastHeaders = req.headers;
  const json = (status: number, data: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(data));
  };
  if (url.pathname === '/health') return json(api.failing ? 503 : 200, { status: api.failing ? 'down' : 'up' });
  if (url.pathname === '/flaky') return api.failing ? json(500, { error: 'boom' }) : json(200, { ok: true });
  if (url.pathname === '/slow') return void setTimeout(() => json(200, { slow: true }), 500);
  if (url.pathname === '/pets' && req.method === 'GET') {
    if (req.headers['x-api-key'] !== PET_API_KEY) return json(401, { error: 'bad key' });
    return json(200, pets.slice(0, Number(url.searchParams.get('limit') ?? pets.length)));
  }
  if (url.pathname === '/pets' && req.method === 'POST') {
    if (req.headers.authorization !== `Bearer ${PET_TOKEN}`) return json(401, { error: 'bad token' });
    return json(201, { id: 99, ...(JSON.parse(body) as object) });
  }
  const match = /^\/pets\/(\d+)$/.exec(url.pathname);
  if (match && req.method === 'GET') {
    if (req.headers['x-api-key'] !== PET_API_KEY) return json(401, { error: 'bad key' });
    const pet = pets.find((p) => p.id === Number(match[1]));
    return pet ? json(200, pet) : json(404, { error: 'no such pet' });
  }
  json(404, { error: 'not found' });
}
