import { Agent } from 'undici';
import type { Dispatcher } from 'undici';
import { AppError } from '@autoweave/contracts';
import { isJsonMediaType } from './media-type.js';
import type { UpstreamRequest, UpstreamResponse } from './upstream-types.js';

export type { UpstreamRequest, UpstreamResponse } from './upstream-types.js';

export interface UpstreamClientOptions {
  /** Connections per origin in the keep-alive pool. Default 64. */
  connections?: number;
  /** How long an idle pooled connection is kept. Default 30 s. */
  keepAliveTimeoutMs?: number;
  /** Bodies larger than this fail with UPSTREAM. Default 10 MiB. */
  maxResponseBytes?: number;
  /** TCP+TLS connect timeout. Default 10 s (the request's own timeout still applies). */
  connectTimeoutMs?: number;
}

export interface SendOptions {
  /** The whole exchange (connect, headers and body) must finish in this time. */
  timeoutMs: number;
  /** The caller's own cancellation; an AppError reason is thrown as it is. */
  signal?: AbortSignal;
  /** Overrides the client's cap for this request. */
  maxResponseBytes?: number;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/**
 * Sends UpstreamRequests over a pooled keep-alive undici Agent. Never turns 4xx/5xx into
 * errors; throws AppError TIMEOUT (deadline passed), UNAVAILABLE (connection refused, DNS,
 * reset, TLS), UPSTREAM (body over the cap, malformed HTTP) or VALIDATION (not http(s)).
 * Error messages name error codes only, never the URL (its query may hold an API key).
 */
export class UpstreamClient {
  private readonly agent: Agent;
  private readonly maxResponseBytes: number;

  constructor(options: UpstreamClientOptions = {}) {
    const keepAlive = options.keepAliveTimeoutMs ?? 30_000;
    this.agent = new Agent({
      connections: options.connections ?? 64,
      keepAliveTimeout: keepAlive,
      keepAliveMaxTimeout: keepAlive,
      connect: { timeout: options.connectTimeoutMs ?? 10_000 },
    });
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  async send(req: UpstreamRequest, options: SendOptions): Promise<UpstreamResponse> {
    const target = parseTarget(req.url);
    const deadline = new Deadline(options.timeoutMs, options.signal);
    try {
      const res = await this.agent.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: req.method.toUpperCase() as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body,
        signal: deadline.signal,
      });
      const headers = flattenHeaders(res.headers);
      const buffer = await readCapped(res, options.maxResponseBytes ?? this.maxResponseBytes);
      return { status: res.statusCode, headers, body: decodeBody(buffer, headers['content-type']), bytes: buffer.length };
    } catch (err) {
      throw deadline.translate(err);
    } finally {
      deadline.clear();
    }
  }

  /** Closes pooled connections once their requests finish. */
  async close(): Promise<void> {
    await this.agent.close();
  }
}

function parseTarget(url: string): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new AppError('VALIDATION', 'invalid upstream URL');
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new AppError('VALIDATION', `only http and https upstream URLs are supported, not ${target.protocol.replace(':', '')}`);
  }
  return target;
}

/** One request's timer plus the caller's signal, and the mapping of what went wrong. */
class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private timedOut = false;
  private readonly onCallerAbort = (): void => this.controller.abort();

  constructor(
    private readonly timeoutMs: number,
    private readonly callerSignal?: AbortSignal,
  ) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, timeoutMs);
    if (callerSignal?.aborted) this.controller.abort();
    else callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  clear(): void {
    clearTimeout(this.timer);
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }

  translate(err: unknown): AppError {
    if (this.timedOut) return new AppError('TIMEOUT', `upstream did not answer within ${this.timeoutMs} ms`);
    if (this.callerSignal?.aborted) {
      const reason: unknown = this.callerSignal.reason;
      return reason instanceof AppError ? reason : new AppError('TIMEOUT', 'upstream request was cancelled by the caller');
    }
    return translateTransportError(err);
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const INVALID_REQUEST_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN']);

/** Maps a network / undici error to an AppError that names its code only. */
export function translateTransportError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const code = errorCode(err);
  if (TIMEOUT_CODES.has(code)) return new AppError('TIMEOUT', `upstream did not answer in time: ${code}`);
  if (INVALID_REQUEST_CODES.has(code)) return new AppError('VALIDATION', `the upstream request is invalid: ${code}`);
  if (code.startsWith('HPE_') || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' || code === 'UND_ERR_INFO') {
    return new AppError('UPSTREAM', `upstream sent a malformed HTTP response: ${code}`);
  }
  return new AppError('UNAVAILABLE', `upstream unreachable: ${code}`, undefined, { cause: err });
}

function errorCode(err: unknown): string {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    const inner = (e as { errors?: unknown }).errors; // AggregateError from happy-eyeballs connects
    if (Array.isArray(inner) && inner.length > 0) return errorCode(inner[0]);
  }
  return err instanceof Error ? err.name : 'unknown error';
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** Reads the body, refusing (and dropping the connection) as soon as it passes `cap` bytes. */
async function readCapped(res: Dispatcher.ResponseData, cap: number): Promise<Buffer> {
  const tooLarge = (): AppError => {
    res.body.destroy();
    return new AppError('UPSTREAM', `upstream response body exceeds ${cap} bytes`, { status: res.statusCode, limitBytes: cap });
  };
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > cap) throw tooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > cap) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** JSON content-types are parsed (falling back to the text when they do not parse); empty -> undefined. */
function decodeBody(buffer: Buffer, contentType: string | undefined): unknown {
  if (buffer.length === 0) return undefined;
  const text = buffer.toString('utf8');
  if (!isJsonMediaType(contentType)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
