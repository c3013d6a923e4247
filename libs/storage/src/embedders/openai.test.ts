import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import { freePort } from '@autoweave/testing';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { factory, fieldOf, LOOPBACK_ALLOWED, processor, testContext, validationError } from '../testing/processor-harness.js';
import { lexicalVector } from './lexical.js';
import { embeddingsUrl } from './openai.js';
import { embedderRegistry } from './registry.js';

const API_KEY = 'sk-test-0123456789abcdef';

interface Seen {
  path: string;
  authorization?: string;
  body: { model: string; input: string[]; dimensions?: number };
}

/** A real OpenAI-compatible /v1/embeddings server: lexical vectors of 8 dimensions, with misbehaviour on request. */
class EmbeddingsServer {
  readonly seen: Seen[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    const port = await freePort();
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Seen['body'];
    this.seen.push({ path: req.url ?? '', authorization: req.headers.authorization, body });
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.method !== 'POST' || req.url !== '/v1/embeddings') return send(404, { error: { message: 'not found' } });
    if (req.headers.authorization !== `Bearer ${API_KEY}`) {
      // Like some servers do: the key is echoed back in the error.
      return send(401, { error: { message: `Incorrect API key provided: ${req.headers.authorization ?? 'none'}` } });
    }
    if (body.model === 'broken') return send(503, { error: { message: 'model is loading' } });
    if (body.model === 'short') return send(200, { data: [], model: body.model });
    if (body.model === 'slow') return void this.timers.add(setTimeout(() => send(200, { data: [] }), 3000));
    if (body.input.some((t) => t.includes('BAD'))) return send(400, { error: { message: 'input rejected' } });
    const dims = body.dimensions ?? 8;
    // Out of order on purpose: clients must use `index`.
    const data = body.input.map((text, index) => ({ object: 'embedding', index, embedding: lexicalVector(text, dims) })).reverse();
    send(200, { object: 'list', data, model: body.model, usage: { prompt_tokens: 1, total_tokens: 1 } });
  }
}

const server = new EmbeddingsServer();
const context = testContext({ outbound: LOOPBACK_ALLOWED });

beforeAll(() => server.start());
afterAll(() => server.stop());

function embedder(config: Record<string, unknown>, ctx = context) {
  return embedderRegistry.create({ type: 'openai', url: server.url, model: 'm', apiKey: API_KEY, ...config }, ctx);
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('openai embedder - against a local /v1/embeddings server', () => {
  it('embeds in batches, in input order, with the bearer key and model', async () => {
    const before = server.seen.length;
    const texts = ['list pets', 'delete an order', 'create a user', 'get a pet', 'find orders'];
    const vectors = await embedder({ batchSize: 2 }).embed(texts);
    expect(vectors).toEqual(texts.map((t) => lexicalVector(t, 8)));
    const calls = server.seen.slice(before);
    expect(calls.map((c) => c.body.input.length)).toEqual([2, 2, 1]);
    expect(calls.every((c) => c.authorization === `Bearer ${API_KEY}` && c.body.model === 'm')).toBe(true);
  });

  it('asks for and checks the configured dimensions; learns them otherwise', async () => {
    const sized = embedder({ dimensions: 16 });
    expect(sized.dimensions).toBe(16);
    expect((await sized.embed(['x']))[0]).toHaveLength(16);
    expect(server.seen.at(-1)!.body.dimensions).toBe(16);
    const unsized = embedder({});
    expect(unsized.dimensions).toBeUndefined();
    await unsized.embed(['x']);
    expect(unsized.dimensions).toBe(8);
  });

  it('a URL ending in /v1 is not doubled', () => {
    expect(embeddingsUrl('http://h:1/v1/')).toBe('http://h:1/v1/embeddings');
    expect(embeddingsUrl('http://h:1')).toBe('http://h:1/v1/embeddings');
    expect(embeddingsUrl('http://h:1/openai')).toBe('http://h:1/openai/v1/embeddings');
  });

  it('an error answer is UPSTREAM with the status and server message, never the key', async () => {
    const wrongKey = await failure(embedder({ apiKey: `${API_KEY}-wrong` }).embed(['x']));
    expect(wrongKey.code).toBe('UPSTREAM');
    expect((wrongKey.details as { status: number }).status).toBe(401);
    expect(JSON.stringify(wrongKey.toBody())).not.toContain(`${API_KEY}-wrong`);
    expect(wrongKey.message).toContain('Incorrect API key provided: Bearer ***');

    const loading = await failure(embedder({ model: 'broken' }).embed(['x']));
    expect(loading).toMatchObject({ code: 'UPSTREAM', details: { status: 503 } });
    expect(loading.message).toContain('model is loading');

    const short = await failure(embedder({ model: 'short' }).embed(['x', 'y']));
    expect(short.message).toMatch(/expected 2 embeddings, got 0/);
  });

  it('a slow server is TIMEOUT, an unreachable one UNAVAILABLE', async () => {
    const slow = await failure(embedder({ model: 'slow', timeoutMs: 200 }).embed(['x']));
    expect(slow.code).toBe('TIMEOUT');
    const closedPort = await freePort();
    const down = await failure(embedderRegistry.create({ type: 'openai', url: `http://127.0.0.1:${closedPort}`, model: 'm' }, context).embed(['x']));
    expect(down.code).toBe('UNAVAILABLE');
  });

  it('the SSRF guard refuses loopback unless the outbound policy allows it', async () => {
    const err = await failure(embedder({}, testContext()).embed(['x']));
    expect(err.code).toBe('VALIDATION');
    expect(err.message).toMatch(/SSRF: 127\.0\.0\.1 is a loopback address/);
  });

  it('the embed processor sends the items of a batch in one request', async () => {
    const run = await processor('embed', { field: 'text', embedder: { type: 'openai', url: server.url, model: 'm', apiKey: API_KEY } }, context);
    const before = server.seen.length;
    const items = ['a pet', 'an order', 'a user', 'a store'].map((text, id) => ({ id, text }));
    const out = (await Promise.all(items.map((item) => run(item)))) as { text: string; vector: number[] }[];
    expect(server.seen.length - before).toBe(1);
    expect(out.map((o) => o.vector)).toEqual(items.map((i) => lexicalVector(i.text, 8)));
  });

  it('one rejected input fails only its own item', async () => {
    const run = await processor('embed', { field: 'text', embedder: { type: 'openai', url: server.url, model: 'm', apiKey: API_KEY } }, context);
    const results = await Promise.allSettled(['good one', 'BAD one', 'good two'].map((text) => run({ text })));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'UPSTREAM', details: { status: 400 } });
  });

  it.each([
    [{ field: 'text', embedder: { type: 'word2vec' } }, 'p.config.embedder.type'],
    [{ field: 'text', embedder: { type: 'openai', model: 'm' } }, 'p.config.embedder.url'],
    [{ field: 'text', embedder: { type: 'openai', url: 'ftp://x', model: 'm' } }, 'p.config.embedder.url'],
    [{ field: 'text', embedder: { type: 'lexical', dimensions: 3 } }, 'p.config.embedder.dimensions'],
    [{ field: 'text', embedder: { type: 'lexical', extra: 1 } }, 'p.config.embedder.extra'],
    [{ field: 'text' }, 'p.config.embedder'],
  ])('bad embed config %p -> VALIDATION naming %s', (config, field) => {
    expect(fieldOf(validationError(() => factory.validateProcessorConfig('embed', config, 'p')))).toBe(field);
  });

  it('validation fills embedder defaults and never echoes the key', () => {
    const checked = factory.validateProcessorConfig('embed', { field: 'text', embedder: { type: 'openai', url: 'https://x', model: 'm', apiKey: API_KEY } }, 'p');
    expect(checked).toMatchObject({ target: 'vector', embedder: { batchSize: 64, timeoutMs: 30000 } });
    const err = validationError(() => factory.validateProcessorConfig('embed', { field: 'text', embedder: { type: 'openai', url: 'nope', model: 'm', apiKey: API_KEY } }, 'p'));
    expect(JSON.stringify(err.toBody())).not.toContain(API_KEY);
  });
});
