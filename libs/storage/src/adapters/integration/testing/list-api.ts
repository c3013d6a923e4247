import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Row {
  id: number;
  name: string;
}

export interface ListApi {
  url: string;
  /** The rows served; tests append to it between runs. */
  rows: Row[];
  /** Every request's path and query, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A real HTTP API with one list endpoint per pagination style, over the same
 * rows: what an integration source reads through the hub.
 *   /page?page&per_page      -> {data: {items, total}}    (page numbers from 1)
 *   /offset?offset&limit     -> [rows]
 *   /cursor?cursor&limit     -> {items, meta: {next}}     (next: null at the end)
 *   /cursor-header?cursor    -> [rows] + x-next-cursor
 *   /link?page&per_page      -> [rows] + Link rel="next"
 *   /all                     -> {results: [rows]}
 *   /stuck?page              -> always the first rows (ignores paging)
 *   /broken                  -> 500
 */
export async function startListApi(count: number): Promise<ListApi> {
  const api: ListApi = {
    url: '',
    rows: Array.from({ length: count }, (_, i) => ({ id: i + 1, name: `row ${i + 1}` })),
    requests: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', api.url);
    api.requests.push(`${url.pathname}${url.search}`);
    const q = (name: string, fallback: number): number => Number(url.searchParams.get(name) ?? fallback);
    const send = (body: unknown, headers: Record<string, string> = {}, status = 200): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const rows = api.rows;
    switch (url.pathname) {
      case '/page': {
        const size = q('per_page', 2);
        const page = q('page', 1);
        return send({ data: { items: rows.slice((page - 1) * size, page * size), total: rows.length } });
      }
      case '/offset':
        return send(rows.slice(q('offset', 0), q('offset', 0) + q('limit', 2)));
      case '/cursor':
      case '/cursor-header': {
        const from = url.searchParams.has('cursor') ? Number(Buffer.from(url.searchParams.get('cursor')!, 'base64url').toString()) : 0;
        const size = q('limit', 2);
        const slice = rows.slice(from, from + size);
        const next = from + size < rows.length ? Buffer.from(String(from + size)).toString('base64url') : null;
        if (url.pathname === '/cursor') return send({ items: slice, meta: { next } });
        return send(slice, next ? { 'x-next-cursor': next } : {});
      }
      case '/link': {
        const size = q('per_page', 2);
        const page = q('page', 1);
        const links = [`<${api.url}/link?page=1&per_page=${size}>; rel="first"`];
        if (page * size < rows.length) links.push(`<${api.url}/link?per_page=${size}&page=${page + 1}>; rel="next"`);
        return send(rows.slice((page - 1) * size, page * size), { link: links.join(', ') });
      }
      case '/all':
        return send({ results: rows });
      case '/stuck':
        return send(rows.slice(0, 2));
      default:
        return send({ message: 'boom' }, {}, 500);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}
