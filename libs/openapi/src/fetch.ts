import { Agent, request, type Dispatcher } from 'undici';
import { formatBytes, type FetchLimits, type FetchText } from './options.js';

/** The body was (or would be) larger than the limit. */
export class DocumentTooLargeError extends Error {
  override readonly name = 'DocumentTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`document exceeds ${formatBytes(maxBytes)}`);
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

function assertHttp(url: URL): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`only http and https URLs are fetched, not ${url.protocol}`);
  }
}

export interface UndiciFetchOptions {
  /**
   * Connections to fetch through, kept open between fetches (an undici Agent owned by the caller,
   * who closes it). Without one, each fetch opens a connection and closes it after the answer.
   */
  dispatcher?: Dispatcher;
}

/**
 * The default fetcher: an undici GET, http(s) only, up to 5 redirects (each checked again), no
 * compression asked for, the body read up to `maxBytes` (refused earlier when Content-Length says
 * so), the socket closed after the answer unless `options.dispatcher` keeps it for the next fetch.
 */
export async function fetchTextWithUndici(url: string, limits: FetchLimits, options: UndiciFetchOptions = {}): Promise<string> {
  let current = new URL(url);
  for (let redirects = 0; ; redirects++) {
    assertHttp(current);
    const res = await request(current, {
      method: 'GET',
      signal: limits.signal,
      headersTimeout: limits.timeoutMs,
      bodyTimeout: limits.timeoutMs,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : { reset: true }),
      headers: {
        accept: 'application/json, application/yaml, application/x-yaml, text/yaml, text/plain;q=0.9, */*;q=0.8',
        'user-agent': 'autoweave-openapi',
      },
    });
    if (REDIRECTS.has(res.statusCode)) {
      await res.body.dump();
      const location = res.headers.location;
      if (typeof location !== 'string') throw new Error(`HTTP ${res.statusCode} without a Location header`);
      if (redirects >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
      current = new URL(location, current);
      continue;
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      await res.body.dump();
      throw new Error(`HTTP ${res.statusCode}`);
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      res.body.destroy();
      throw new DocumentTooLargeError(limits.maxBytes);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      total += buf.length;
      if (total > limits.maxBytes) {
        res.body.destroy();
        throw new DocumentTooLargeError(limits.maxBytes);
      }
      chunks.push(buf);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}

/** A fetcher whose connections stay open between fetches; close() ends them. */
export interface KeepAliveFetcher {
  fetchText: FetchText;
  close(): Promise<void>;
}

/**
 * For a caller that fetches from the same hosts again and again (discovery reading the specs of
 * registered services, re-read on every scan): each fetch reuses an idle connection to its origin
 * when there is one, which saves the TCP (and TLS) handshake. An idle connection is closed after
 * `keepAliveTimeoutMs` (or sooner when the server says so).
 */
export function keepAliveFetcher(options: { keepAliveTimeoutMs?: number } = {}): KeepAliveFetcher {
  const agent = new Agent({ keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000 });
  return {
    fetchText: (url, limits) => fetchTextWithUndici(url, limits, { dispatcher: agent }),
    close: () => agent.close(),
  };
}
