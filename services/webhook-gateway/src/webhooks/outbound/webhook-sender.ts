import { retryAfterToMs } from '@autoweave/resilience';
import type { Dispatcher } from 'undici';

/** How much of a receiver's answer is kept in the attempt record. */
export const EXCERPT_BYTES = 256;
/** Answers are read (and thrown away) up to this size so the connection can be reused; larger ones cost their connection. */
const MAX_DRAIN_BYTES = 64 * 1024;
/** Parsed receiver URLs kept; receivers are few. */
const TARGET_CACHE = 1024;

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

interface Target {
  origin: string;
  path: string;
}

/**
 * POSTs webhooks through one pooled, SSRF-guarded undici Agent (keep-alive
 * connections per receiver origin). `timeoutMs` bounds the wait for the
 * answer's headers and each pause in its body (undici's own timers, no
 * per-request timer or abort signal); connecting has the Agent's connect
 * timeout. Never throws: every outcome is a PostResult.
 */
export class WebhookSender {
  private readonly targets = new Map<string, Target>();

  constructor(private readonly dispatcher: Dispatcher) {}

  async post(req: PostRequest): Promise<PostResult> {
    const started = performance.now();
    try {
      const { origin, path } = this.target(req.url);
      const res = await this.dispatcher.request({
        origin,
        path,
        method: 'POST',
        headers: req.headers,
        body: req.body,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const excerpt = await readExcerpt(res.body);
      const retryAfter = header(res.headers['retry-after']);
      const result: PostResult = { kind: 'answered', status: res.statusCode, latencyMs: elapsed(started), excerpt };
      if (retryAfter !== undefined) result.retryAfterMs = retryAfterToMs(retryAfter);
      return result;
    } catch (err) {
      const latencyMs = elapsed(started);
      if (isTimeout(err)) return { kind: 'timeout', latencyMs, error: `no answer within ${req.timeoutMs} ms` };
      const message = describe(err);
      return { kind: message.startsWith('SSRF:') ? 'refused' : 'network', latencyMs, error: message };
    }
  }

  private target(url: string): Target {
    let target = this.targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      if (this.targets.size >= TARGET_CACHE) this.targets.clear();
      this.targets.set(url, target);
    }
    return target;
  }
}

/** The first EXCERPT_BYTES of the answer; the rest is read and dropped (up to MAX_DRAIN_BYTES). */
function readExcerpt(body: Dispatcher.ResponseData['body']): Promise<string> {
  return new Promise((resolve, reject) => {
    let kept: Buffer | undefined;
    let total = 0;
    const done = (): void => resolve(kept ? kept.toString('utf8') : '');
    body.on('data', (chunk: Buffer) => {
      if (total < EXCERPT_BYTES) {
        const part = chunk.subarray(0, EXCERPT_BYTES - total);
        kept = kept ? Buffer.concat([kept, part]) : part;
      }
      total += chunk.length;
      if (total > MAX_DRAIN_BYTES) {
        body.destroy();
        done();
      }
    });
    body.on('end', done);
    body.on('error', reject);
  });
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
