import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Real local HTTP servers for the execute/ tests (no HTTP mocks). Test support only:
 * nothing in the service imports this folder.
 */

export interface TestServer {
  url: string;
  port: number;
  /** Requests received so far. */
  hits: number;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void | Promise<void>;

export async function startServer(handler: Handler): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const state = { hits: 0 };
  const server: Server = createServer((req, res) => {
    state.hits++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      Promise.resolve(handler(req, Buffer.concat(chunks).toString('utf8'), res)).catch(() => {
        res.statusCode = 500;
        res.end();
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get hits() {
      return state.hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** What the echo server saw. */
export interface Echo {
  method: string;
  /** Raw path as sent, without the query. */
  path: string;
  /** Raw query string as sent (no leading ?). */
  rawQuery: string;
  /** Decoded query, repeated names as arrays. */
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  cookies: Record<string, string>;
  body: string;
}

/** Answers every request with a JSON description of itself (status from `x-echo-status`, default 200). */
export function startEchoServer(): Promise<TestServer> {
  return startServer((req, body, res) => {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q === -1 ? '' : rawUrl.slice(q + 1);
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(rawQuery)) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const cookies: Record<string, string> = {};
    for (const crumb of (req.headers.cookie ?? '').split(';')) {
      const i = crumb.indexOf('=');
      if (i > 0) cookies[crumb.slice(0, i).trim()] = crumb.slice(i + 1).trim();
    }
    const echo: Echo = { method: req.method ?? '', path, rawQuery, query, headers: req.headers, cookies, body };
    res.statusCode = Number(req.headers['x-echo-status'] ?? 200);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(echo));
  });
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = await startServer((_req, _body, res) => {
    res.end();
  });
  const port = server.port;
  await server.close();
  return port;
}
