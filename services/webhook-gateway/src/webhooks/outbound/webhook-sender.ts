import { retryAfterToMs } from '@autoweave/resilience';
import { request, type Dispatcher } from 'undici';

/** How much of a receiver's answer is kept in the attempt record. */
export const EXCERPT_BYTES = 256;
/** Answers are read (and thrown away) up to this size so the connection can be reused; larger ones cost their connection. */
const MAX_DRAIN_BYTES = 64 * 1024;

/** How one POST ended: an HTTP answer (any status), or no answer and why. */
export type PostResult =
  | { kind: 'answered'; status: number; latencyMs: number; excerpt: string; retryAfterMs?: number }
  | { kind: 'timeout' | 'refused' | 'network'; latencyMs: number; error: string };

export interface PostRequest {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
  timeoutMs: number;
}

/**
 * POSTs webhooks through one pooled, SSRF-guarded undici Agent (keep-alive
 * connections per receiver origin). Never throws: every outcome is a PostResult.
 */
export class WebhookSender {
  constructor(private readonly dispatcher: Dispatcher) {}

  async post(req: PostRequest): Promise<PostResult> {
    const started = performance.now();
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), req.timeoutMs);
    try {
      const res = await request(req.url, {
        method: 'POST',
        headers: req.headers,
        body: req.body,
        dispatcher: this.dispatcher,
        signal: abort.signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const excerpt = await readExcerpt(res.body);
      const retryAfter = header(res.headers['retry-after']);
      return {
        kind: 'answered',
        status: res.statusCode,
        latencyMs: elapsed(started),
        excerpt,
        ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfterToMs(retryAfter) }),
      };
    } catch (err) {
      const latencyMs = elapsed(started);
      if (abort.signal.aborted || isTimeout(err)) return { kind: 'timeout', latencyMs, error: `no answer within ${req.timeoutMs} ms` };
      const message = describe(err);
      return { kind: message.startsWith('SSRF:') ? 'refused' : 'network', latencyMs, error: message };
    } finally {
      clearTimeout(timer);
    }
  }
}

async function readExcerpt(body: Dispatcher.ResponseData['body']): Promise<string> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (keptBytes < EXCERPT_BYTES) {
      const part = chunk.subarray(0, EXCERPT_BYTES - keptBytes);
      kept.push(part);
      keptBytes += part.length;
    }
    total += chunk.length;
    if (total > MAX_DRAIN_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(kept).toString('utf8');
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function isTimeout(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

/** The innermost cause's message, with its code: "connect ECONNREFUSED 127.0.0.1:9" says more than "fetch failed". */
function describe(err: unknown): string {
  let e = err as { message?: string; code?: string; cause?: unknown };
  while (e?.cause && typeof e.cause === 'object') e = e.cause as typeof e;
  const message = e?.message ?? String(err);
  return e?.code && !message.includes(e.code) && !message.startsWith('SSRF:') ? `${e.code}: ${message}` : message;
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
