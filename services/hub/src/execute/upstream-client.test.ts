import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '@autoweave/contracts';
import { waitFor } from '@autoweave/testing';
import { closedPort, startServer, type Echo, type TestServer } from './testing/http-fixtures.js';
import { UpstreamClient, type UpstreamResponse } from './upstream-client.js';

const CAP = 64 * 1024;
let abortedBySlowClient = 0;

/** One server, routes by path: echo, text, empty, bad JSON, slow, big bodies, reset. */
async function route(req: IncomingMessage, body: string, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  switch (url.pathname) {
    case '/echo': {
      res.statusCode = Number(url.searchParams.get('status') ?? 200);
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end(JSON.stringify({ method: req.method, path: url.pathname, headers: req.headers, body }));
      return;
    }
    case '/text':
      res.setHeader('content-type', 'text/plain');
      res.end('héllo');
      return;
    case '/empty':
      res.statusCode = 204;
      res.end();
      return;
    case '/bad-json':
      res.setHeader('content-type', 'application/problem+json');
      res.end('{not json');
      return;
    case '/slow': {
      const timer = setTimeout(() => res.end('late'), 5_000);
      res.on('close', () => {
        if (!res.writableEnded) abortedBySlowClient++;
        clearTimeout(timer);
      });
      return;
    }
    case '/big-declared': // content-length over the cap
      res.setHeader('content-length', String(CAP + 1));
      res.write('x'.repeat(1024));
      return; // never finishes: the client must refuse on the header alone
    case '/big-chunked': {
      const chunk = 'y'.repeat(8 * 1024);
      for (let i = 0; i < 20; i++) res.write(chunk);
      res.end();
      return;
    }
    case '/exact':
      res.end('z'.repeat(CAP));
      return;
    case '/reset':
      req.socket.destroy();
      return;
    default:
      res.statusCode = 404;
      res.end();
  }
}

describe('UpstreamClient against real local servers', () => {
  let server: TestServer;
  let client: UpstreamClient;

  beforeAll(async () => {
    server = await startServer(route);
    client = new UpstreamClient({ maxResponseBytes: CAP, connections: 4 });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  const send = (path: string, extra: Partial<Parameters<UpstreamClient['send']>[0]> = {}, timeoutMs = 5_000): Promise<UpstreamResponse> =>
    client.send({ method: 'GET', url: `${server.url}${path}`, headers: {}, ...extra }, { timeoutMs });

  const failure = async (promise: Promise<unknown>): Promise<AppError> => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  };

  it('sends method, headers and body; parses a JSON answer', async () => {
    const res = await send('/echo', { method: 'post', headers: { 'x-trace': 't1', 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['set-cookie']).toBe('a=1, b=2');
    const echo = res.body as Echo;
    expect(echo.method).toBe('POST');
    expect(echo.headers['x-trace']).toBe('t1');
    expect(echo.headers['content-length']).toBe('7');
    expect(echo.body).toBe('{"a":1}');
    expect(res.bytes).toBe(Buffer.byteLength(JSON.stringify(echo)));
  });

  const answers: Array<[string, string, number, unknown, number]> = [
    ['4xx is an answer, not an error', '/echo?status=404', 404, 'object', -1],
    ['5xx is an answer, not an error', '/echo?status=503', 503, 'object', -1],
    ['text stays text', '/text', 200, 'héllo', 6],
    ['empty body is undefined', '/empty', 204, undefined, 0],
    ['JSON type that does not parse stays text', '/bad-json', 200, '{not json', 9],
    ['a body of exactly the cap is fine', '/exact', 200, 'z'.repeat(CAP), CAP],
  ];
  it.each(answers)('%s', async (_name, path, status, body, bytes) => {
    const res = await send(path);
    expect(res.status).toBe(status);
    if (body === 'object') expect(typeof res.body).toBe('object');
    else expect(res.body).toEqual(body);
    if (bytes >= 0) expect(res.bytes).toBe(bytes);
  });

  it('reuses pooled keep-alive connections', async () => {
    const ports = new Set<number | undefined>();
    const probe = await startServer((req, _body, res) => {
      ports.add(req.socket.remotePort);
      res.end('ok');
    });
    const pooled = new UpstreamClient();
    for (let i = 0; i < 20; i++) await pooled.send({ method: 'GET', url: `${probe.url}/x`, headers: {} }, { timeoutMs: 5_000 });
    await pooled.close();
    await probe.close();
    // undici may alternate between two sockets for back-to-back requests; never one per request
    expect(ports.size).toBeLessThanOrEqual(3);
  });

  const failures: Array<[string, () => Promise<unknown>, AppError['code'], string | RegExp]> = [
    ['a slow upstream times out', () => send('/slow', {}, 150), 'TIMEOUT', 'upstream did not answer within 150 ms'],
    ['a declared oversized body is refused', () => send('/big-declared'), 'UPSTREAM', `upstream response body exceeds ${CAP} bytes`],
    ['a streamed oversized body is cut', () => send('/big-chunked'), 'UPSTREAM', `upstream response body exceeds ${CAP} bytes`],
    ['a per-request cap overrides the client default', () => client.send({ method: 'GET', url: `${server.url}/exact`, headers: {} }, { timeoutMs: 5_000, maxResponseBytes: 100 }), 'UPSTREAM', 'upstream response body exceeds 100 bytes'],
    ['a reset connection is unavailable', () => send('/reset'), 'UNAVAILABLE', /^upstream unreachable: (UND_ERR_SOCKET|ECONNRESET)$/],
    ['an unknown host is unavailable', () => client.send({ method: 'GET', url: 'http://nonexistent.invalid/x', headers: {} }, { timeoutMs: 5_000 }), 'UNAVAILABLE', /^upstream unreachable: (ENOTFOUND|EAI_AGAIN)$/],
    ['only http and https', () => client.send({ method: 'GET', url: 'ftp://127.0.0.1/x', headers: {} }, { timeoutMs: 1_000 }), 'VALIDATION', 'only http and https upstream URLs are supported, not ftp'],
    ['not a URL', () => client.send({ method: 'GET', url: 'nope', headers: {} }, { timeoutMs: 1_000 }), 'VALIDATION', 'invalid upstream URL'],
  ];
  it.each(failures)('%s', async (_name, call, code, message) => {
    const err = await failure(call());
    expect(err.code).toBe(code);
    if (typeof message === 'string') expect(err.message).toBe(message);
    else expect(err.message).toMatch(message);
  });

  it('a closed port is UNAVAILABLE: ECONNREFUSED', async () => {
    const port = await closedPort();
    const err = await failure(client.send({ method: 'GET', url: `http://127.0.0.1:${port}/x?api_key=SECRET`, headers: {} }, { timeoutMs: 5_000 }));
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toBe('upstream unreachable: ECONNREFUSED');
  });

  it('a timeout aborts the request (the upstream sees the connection go)', async () => {
    const before = abortedBySlowClient;
    await failure(send('/slow', {}, 100));
    await waitFor(() => abortedBySlowClient === before + 1, { what: 'the upstream to see the aborted request' });
  });

  it("the caller's abort reason is thrown as it is", async () => {
    const controller = new AbortController();
    const pending = client.send({ method: 'GET', url: `${server.url}/slow`, headers: {} }, { timeoutMs: 5_000, signal: controller.signal });
    setTimeout(() => controller.abort(new AppError('TIMEOUT', 'request deadline passed')), 50);
    const err = await failure(pending);
    expect(err.message).toBe('request deadline passed');
  });

  it('the client still works after failures (pool intact)', async () => {
    await expect(send('/text')).resolves.toMatchObject({ status: 200, body: 'héllo' });
  });
});
