import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { AppError } from '@autoweave/contracts';
import { fetchTextWithUndici, keepAliveFetcher, loadOpenApi, readOpenApi, resolveServerUrl, type FetchLimits, type LoadErrorDetails } from './index.js';

// A real local HTTP server serving specs whose $refs point to other files on the same server.
let server: Server;
let base = '';
const hits = new Map<string, number>();
/** The connection each request came over, in order. */
const requestSockets: Socket[] = [];

const MiB = 1024 * 1024;

function rootSpec(): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 'Remote petstore', version: '1' },
    servers: [{ url: '/v1' }],
    paths: {
      '/pets': {
        get: {
          operationId: 'listPets',
          parameters: [{ $ref: `${base}/common/params.yaml#/Limit` }],
          responses: {
            '200': { description: 'ok', content: { 'application/json': { schema: { $ref: 'schemas/pet.json#/Pet' } } } },
          },
        },
      },
      '/tree': {
        get: {
          operationId: 'getTree',
          responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: 'schemas/pet.json#/Node' } } } } },
        },
      },
    },
    components: { schemas: { Owner: { type: 'object', properties: { login: { type: 'string' } } } } },
  };
}

const PET_DOC = {
  Pet: {
    type: 'object',
    properties: {
      name: { $ref: '#/PetName' },
      category: { $ref: './category.json#/Category' },
      owner: { $ref: '../openapi.json#/components/schemas/Owner' },
    },
  },
  PetName: { type: 'string', minLength: 1 },
  Node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/Node' } } } },
};

function simpleSpec(title: string, schema: Record<string, unknown> = { type: 'string' }): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title, version: '1' },
    paths: { '/a': { get: { operationId: 'a', responses: { '200': { description: 'ok', content: { 'application/json': { schema } } } } } } },
  };
}

function send(res: ServerResponse, body: string, type = 'application/json'): void {
  res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', base).pathname;
  hits.set(path, (hits.get(path) ?? 0) + 1);
  requestSockets.push(req.socket);
  let m: RegExpExecArray | null;
  if (path === '/api/openapi.json') return send(res, JSON.stringify(rootSpec()));
  if (path === '/api/schemas/pet.json') return send(res, JSON.stringify(PET_DOC));
  if (path === '/api/schemas/category.json') return send(res, JSON.stringify({ Category: { type: 'string', enum: ['dog', 'cat'] } }));
  if (path === '/common/params.yaml') return send(res, 'Limit:\n  name: limit\n  in: query\n  schema:\n    type: integer\n', 'application/yaml');
  if (path === '/petstore.yaml') return send(res, readFileSync(new URL('./fixtures/petstore.yaml', import.meta.url), 'utf8'), 'text/plain');
  if (path === '/spec') return send(res, 'openapi: 3.1.0\ninfo:\n  title: no extension\n  version: "1"\npaths: {}\ncomponents: {schemas: {}}\n', 'text/plain');
  if (path === '/simple.json') return send(res, JSON.stringify(simpleSpec('simple')));
  if (path === '/redirect') {
    res.writeHead(302, { location: '/simple.json' });
    return void res.end();
  }
  if (path === '/big.json') return send(res, JSON.stringify({ openapi: '3.0.3', padding: 'x'.repeat(6 * MiB) }));
  if (path === '/big-chunked.json') {
    // no Content-Length: the size limit must be enforced while reading
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = 'x'.repeat(64 * 1024);
    let sent = 0;
    const pump = (): void => {
      while (sent < 7 * MiB) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('error', () => undefined);
    return pump();
  }
  if (path === '/slow.json') return; // never answers; closed when the test server stops
  if ((m = /^\/chain\/(\d+)\.json$/.exec(path))) {
    // A self-referencing chain of documents: each one points to the next, without end.
    const n = Number(m[1]);
    return send(res, JSON.stringify({ Next: { $ref: `/chain/${n + 1}.json#/Next` } }));
  }
  if ((m = /^\/finite\/(\d+)\.json$/.exec(path))) {
    // A chain that ends after document 3.
    const n = Number(m[1]);
    return send(res, JSON.stringify({ Next: n < 3 ? { $ref: `${n + 1}.json#/Next` } : { type: 'integer' } }));
  }
  if (path === '/swagger-defs.json') {
    return send(
      res,
      JSON.stringify({
        Limit: { name: 'limit', in: 'query', type: 'integer' },
        Found: { description: 'found', schema: { $ref: '#/Pet' } },
        Pet: { type: 'object', properties: { name: { type: 'string' }, tag: { type: 'string', 'x-nullable': true } } },
      }),
    );
  }
  if (path === '/evil.json') return send(res, JSON.stringify({ X: { $ref: 'file:///etc/passwd' } }));
  if (path === '/absolute-path.json') return send(res, JSON.stringify({ X: { $ref: '/etc/passwd' } }));
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function rejection(work: Promise<unknown>): Promise<AppError & { details: LoadErrorDetails }> {
  try {
    await work;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('VALIDATION');
    return err as AppError & { details: LoadErrorDetails };
  }
  throw new Error('expected a VALIDATION error');
}

function specWithRef(ref: string): Record<string, unknown> {
  return simpleSpec('refers', { $ref: ref });
}
const REF_AT = '/paths/~1a/get/responses/200/content/application~1json/schema';

describe('loadOpenApi from a URL with remote $refs', () => {
  it('resolves relative and absolute remote refs (JSON and YAML), refs back into the main document, each document fetched once', async () => {
    hits.clear();
    const api = await loadOpenApi({ url: `${base}/api/openapi.json` });
    expect(api.sourceUrl).toBe(`${base}/api/openapi.json`);
    expect(api.operations.map((o) => o.operationId)).toEqual(['listPets', 'getTree']);
    const list = api.operations[0]!;
    expect(list.parameters).toEqual([{ name: 'limit', in: 'query', required: false, schema: { type: 'integer' } }]);
    expect(list.responses['200']!.schema).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1 },
        category: { type: 'string', enum: ['dog', 'cat'] },
        owner: { type: 'object', properties: { login: { type: 'string' } } },
      },
    });
    expect([...hits.entries()].sort()).toEqual([
      ['/api/openapi.json', 1],
      ['/api/schemas/category.json', 1],
      ['/api/schemas/pet.json', 1],
      ['/common/params.yaml', 1],
    ]);
  });

  it('keeps a recursive remote schema as a $ref to its URL', async () => {
    const api = await loadOpenApi({ url: `${base}/api/openapi.json` });
    expect(api.operations[1]!.responses['200']!.schema).toEqual({
      type: 'object',
      properties: { children: { type: 'array', items: { $ref: `${base}/api/schemas/pet.json#/Node` } } },
    });
    expect(Object.keys(api.refSchemas ?? {})).toEqual([`${base}/api/schemas/pet.json#/Node`]);
  });

  it('resolves a relative server URL against the document URL', async () => {
    const api = await loadOpenApi({ url: `${base}/api/openapi.json` });
    expect(resolveServerUrl(api)).toBe(`${base}/v1`);
  });

  it('uses url only as the base when the spec itself is given', async () => {
    hits.clear();
    const spec = simpleSpec('inline', { $ref: 'schemas/category.json#/Category' });
    const api = await loadOpenApi({ spec, url: `${base}/api/openapi.json` });
    expect(api.operations[0]!.responses['200']!.schema).toEqual({ type: 'string', enum: ['dog', 'cat'] });
    expect(hits.get('/api/openapi.json')).toBeUndefined();
    expect(resolveServerUrl(api)).toBe(base);
  });

  it.each([
    ['YAML by extension', '/petstore.yaml', 'YAML Petstore'],
    ['YAML by content, no extension', '/spec', 'no extension'],
    ['a redirect', '/redirect', 'simple'],
  ])('reads %s', async (_label, path, title) => {
    const api = await loadOpenApi({ url: `${base}${path}` });
    expect(api.title).toBe(title);
  });
});

describe('loadOpenApi on a Swagger 2.0 document with remote $refs', () => {
  it('resolves remote parameters, responses and schemas before converting', async () => {
    const spec = {
      swagger: '2.0',
      info: { title: 'remote swagger', version: '1' },
      produces: ['application/json'],
      paths: {
        '/pets': {
          get: {
            operationId: 'listPets',
            parameters: [{ $ref: `${base}/swagger-defs.json#/Limit` }],
            responses: { '200': { $ref: `${base}/swagger-defs.json#/Found` } },
          },
        },
      },
    };
    const api = await loadOpenApi({ spec });
    expect(api.convertedFrom).toBe('2.0');
    expect(api.operations[0]).toMatchObject({
      operationId: 'listPets',
      parameters: [{ name: 'limit', in: 'query', required: false, schema: { type: 'integer' } }],
      responses: {
        '200': {
          description: 'found',
          contentType: 'application/json',
          schema: { type: 'object', properties: { name: { type: 'string' }, tag: { type: 'string', nullable: true } } },
        },
      },
    });
  });
});

describe('loadOpenApi enforces its limits on remote documents', () => {
  it.each([
    ['with a Content-Length', '/big.json'],
    ['streamed without a Content-Length', '/big-chunked.json'],
  ])('refuses a main document over 5 MiB %s', async (_label, path) => {
    const err = await rejection(loadOpenApi({ url: `${base}${path}` }));
    expect(err.message).toBe('openAPIUrl could not be fetched: document exceeds 5 MiB');
    expect(err.details.url).toBe(`${base}${path}`);
  });

  it('refuses a remote $ref document over maxBytes', async () => {
    const err = await rejection(loadOpenApi({ spec: specWithRef(`${base}/big.json#/padding`) }, { maxBytes: 64 * 1024 }));
    expect(err.message).toBe(`$ref "${base}/big.json#/padding" at ${REF_AT} could not be fetched from ${base}/big.json: document exceeds 64 KiB`);
    expect(err.details.location).toBe(REF_AT);
  });

  it('gives up on a main document that does not arrive in time', async () => {
    const err = await rejection(loadOpenApi({ url: `${base}/slow.json` }, { timeoutMs: 300 }));
    expect(err.message).toBe('openAPIUrl could not be fetched: no complete answer within 300 ms');
  });

  it('gives up on a remote $ref that does not arrive in time', async () => {
    const err = await rejection(loadOpenApi({ spec: specWithRef(`${base}/slow.json#/X`) }, { timeoutMs: 300 }));
    expect(err.message).toMatch(/could not be fetched from .*\/slow\.json: no complete answer within 300 ms$/);
  });

  it('stops a self-referencing chain of remote refs at maxRefDepth', async () => {
    hits.clear();
    const err = await rejection(loadOpenApi({ spec: specWithRef(`${base}/chain/1.json#/Next`) }, { maxRemoteRefs: 1000 }));
    expect(err.message).toMatch(/goes deeper than maxRefDepth \(20 levels of remote documents\)/);
    expect(err.details.location).toBe(`${base}/chain/20.json#/Next`);
    expect(hits.size).toBe(20);
  });

  it('stops at maxRemoteRefs distinct remote documents', async () => {
    const err = await rejection(loadOpenApi({ spec: specWithRef(`${base}/chain/1.json#/Next`) }, { maxRemoteRefs: 5 }));
    expect(err.message).toMatch(/would fetch more than maxRemoteRefs \(5\) remote documents/);
  });

  it.each([
    [3, true],
    [2, false],
  ])('a chain three documents deep with maxRefDepth %i loads: %s', async (maxRefDepth, loads) => {
    const work = loadOpenApi({ spec: specWithRef(`${base}/finite/1.json#/Next`) }, { maxRefDepth });
    if (loads) expect((await work).operations[0]!.responses['200']!.schema).toEqual({ type: 'integer' });
    else expect((await rejection(work)).message).toMatch(/maxRefDepth \(2 /);
  });

  it.each([
    ['a missing document', '/missing.json#/X', /could not be fetched from .*\/missing\.json: HTTP 404$/],
    ['a file: ref inside a remote document', '/evil.json#/X', /\$ref "file:\/\/\/etc\/passwd" at http:.*\/evil\.json#\/X is refused: file: references/],
    ['an absolute path inside a remote document (resolved on the same server, never the disk)', '/absolute-path.json#/X', /could not be fetched from http:.*\/etc\/passwd: HTTP 404$/],
  ])('refuses %s', async (_label, path, reason) => {
    const err = await rejection(loadOpenApi({ spec: specWithRef(`${base}${path}`) }));
    expect(err.message).toMatch(reason);
  });

  it('reports an unreachable openAPIUrl', async () => {
    const err = await rejection(loadOpenApi({ url: 'http://127.0.0.1:1/openapi.json' }));
    expect(err.message).toMatch(/^openAPIUrl could not be fetched: .*ECONNREFUSED/);
  });
});

describe('loadOpenApi with an injected fetcher', () => {
  it('hands the fetcher the limits and a signal', async () => {
    const calls: Array<[string, FetchLimits]> = [];
    const api = await loadOpenApi(
      { url: 'https://specs.example.com/openapi.json' },
      {
        maxBytes: 1000,
        timeoutMs: 5000,
        fetchText: async (url, limits) => {
          calls.push([url, limits]);
          return JSON.stringify(simpleSpec('injected'));
        },
      },
    );
    expect(api.title).toBe('injected');
    expect(calls).toHaveLength(1);
    const [url, limits] = calls[0]!;
    expect(url).toBe('https://specs.example.com/openapi.json');
    expect(limits.maxBytes).toBe(1000);
    expect(limits.timeoutMs).toBeGreaterThan(0);
    expect(limits.timeoutMs).toBeLessThanOrEqual(5000);
    expect(limits.signal).toBeInstanceOf(AbortSignal);
  });

  it('enforces maxBytes on what a fetcher returns even if the fetcher does not', async () => {
    const err = await rejection(
      loadOpenApi({ url: 'https://specs.example.com/openapi.json' }, { maxBytes: 100, fetchText: async () => 'x'.repeat(101) }),
    );
    expect(err.message).toBe('openAPIUrl could not be fetched: document exceeds 100 bytes');
  });

  it('enforces the deadline on a fetcher that never answers, and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const err = await rejection(
      loadOpenApi(
        { url: 'https://specs.example.com/openapi.json' },
        {
          timeoutMs: 200,
          fetchText: (_url, limits) => {
            signal = limits.signal;
            return new Promise<string>(() => undefined);
          },
        },
      ),
    );
    expect(err.message).toBe('openAPIUrl could not be fetched: no complete answer within 200 ms');
    expect(signal?.aborted).toBe(true);
  });
});

describe('readOpenApi: read like loadOpenApi, without validating', () => {
  it('reads a document from a URL with its text and version, fetching none of its $refs', async () => {
    hits.clear();
    const read = await readOpenApi({ url: `${base}/api/openapi.json` });
    expect(read).toEqual({ document: rootSpec(), text: JSON.stringify(rootSpec()), version: '3.0' });
    expect([...hits.keys()]).toEqual(['/api/openapi.json']);
    expect(await readOpenApi({ url: `${base}/spec` })).toMatchObject({ version: '3.1', document: { info: { title: 'no extension' } } });
  });

  it('reads an invalid document that says it is OpenAPI (loadOpenApi is what refuses it)', async () => {
    const broken = { openapi: '3.0.3', info: { title: 'no version, an operation without responses' }, paths: { '/a': { get: {} } } };
    expect(await readOpenApi({ spec: broken })).toEqual({ document: broken, version: '3.0' });
    expect((await rejection(loadOpenApi({ spec: broken }))).message).toMatch(/^the OpenAPI document is invalid/);
  });

  it('refuses what is not an OpenAPI document, too large or unreachable with the errors of loadOpenApi', async () => {
    expect((await rejection(readOpenApi({ text: '{"this is": "not an openapi document"}' }))).message).toBe(
      'not an OpenAPI document: the "openapi" version field (3.0.x or 3.1.x) is missing',
    );
    expect((await rejection(readOpenApi({ text: '<html>nope</html>' }))).message).toMatch(/^the OpenAPI document must be a JSON\/YAML object/);
    expect((await rejection(readOpenApi({ url: `${base}/big.json` }))).message).toBe('openAPIUrl could not be fetched: document exceeds 5 MiB');
    const slow = await rejection(readOpenApi({ url: `${base}/slow.json` }, { timeoutMs: 200 }));
    expect(slow.message).toBe('openAPIUrl could not be fetched: no complete answer within 200 ms');
  });
});

describe('keepAliveFetcher', () => {
  const limits = (): FetchLimits => ({ maxBytes: MiB, timeoutMs: 2_000, signal: new AbortController().signal });

  it('fetches one document after another over kept connections, where fetchTextWithUndici opens one per fetch', async () => {
    const connectionsOf = (from: number): number => new Set(requestSockets.slice(from)).size;
    const before = requestSockets.length;
    for (let i = 0; i < 3; i++) expect(JSON.parse(await fetchTextWithUndici(`${base}/simple.json`, limits()))).toEqual(simpleSpec('simple'));
    expect(connectionsOf(before)).toBe(3);

    const fetcher = keepAliveFetcher();
    try {
      const kept = requestSockets.length;
      for (let i = 0; i < 3; i++) expect(JSON.parse(await fetcher.fetchText(`${base}/simple.json`, limits()))).toEqual(simpleSpec('simple'));
      expect(await fetcher.fetchText(`${base}/redirect`, limits())).toBe(JSON.stringify(simpleSpec('simple')));
      expect(requestSockets.length - kept).toBe(5);
      // undici may open a second connection when the next request comes before it has put the
      // first back in the pool; both are then reused.
      expect(connectionsOf(kept)).toBeLessThanOrEqual(2);
      await expect(fetcher.fetchText(`${base}/big.json`, limits())).rejects.toThrow('document exceeds 1 MiB');
    } finally {
      await fetcher.close();
    }
  });
});
