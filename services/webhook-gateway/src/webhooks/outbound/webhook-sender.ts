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
 *
 * The request goes to the dispatcher with a handler of its own rather than
 * through `request()`: the answer is a status, one header and at most a few
 * hundred bytes, and `request()`'s body stream, async resource and promises
 * per call were a visible part of a delivery's cost.
 */
export class WebhookSender {
  private readonly targets = new Map<string, Target>();

  constructor(private readonly dispatcher: Dispatcher) {}

  post(req: PostRequest): Promise<PostResult> {
    return new Promise((resolve) => {
      const handler = new PostHandler(req.timeoutMs, resolve);
      let target: Target;
      try {
        target = this.target(req.url);
      } catch (err) {
        handler.onError(err as Error);
        return;
      }
      // An error thrown here (a closed agent, bad options) is handed to handler.onError by undici.
      this.dispatcher.dispatch(
        { origin: target.origin, path: target.path, method: 'POST', headers: req.headers, body: req.body, headersTimeout: req.timeoutMs, bodyTimeout: req.timeoutMs },
        handler,
      );
    });
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

const RETRY_AFTER = 'retry-after';

/**
 * One POST's answer as undici's parser hands it over: the status and
 * Retry-After from the headers, the first EXCERPT_BYTES of the body (the rest
 * is read and dropped up to MAX_DRAIN_BYTES; a longer answer costs its
 * connection), then exactly one PostResult.
 */
class PostHandler implements Dispatcher.DispatchHandler {
  private readonly started = performance.now();
  private settled = false;
  private abort?: (err?: Error) => void;
  private status = 0;
  private retryAfter?: string;
  private kept?: Buffer;
  private total = 0;

  constructor(
    private readonly timeoutMs: number,
    private readonly resolve: (result: PostResult) => void,
  ) {}

  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    // 1xx (100 Continue, 103 Early Hints): the answer is still to come.
    if (statusCode < 200) return true;
    this.status = statusCode;
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const name = rawHeaders[i]!;
      if (name.length === RETRY_AFTER.length && name.toString('latin1').toLowerCase() === RETRY_AFTER) {
        this.retryAfter = rawHeaders[i + 1]!.toString('latin1');
        break;
      }
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.settled) return true;
    if (this.total < EXCERPT_BYTES) {
      const part = chunk.subarray(0, EXCERPT_BYTES - this.total);
      this.kept = this.kept ? Buffer.concat([this.kept, part]) : part;
    }
    this.total += chunk.length;
    if (this.total > MAX_DRAIN_BYTES) {
      this.answered();
      this.abort?.(new Error('answer too long to drain'));
    }
    return true;
  }

  onComplete(): void {
    this.answered();
  }

  onError(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    const latencyMs = elapsed(this.started);
    if (isTimeout(err)) return this.resolve({ kind: 'timeout', latencyMs, error: `no answer within ${this.timeoutMs} ms` });
    const message = describe(err);
    this.resolve({ kind: message.startsWith('SSRF:') ? 'refused' : 'network', latencyMs, error: message });
  }

  private answered(): void {
    if (this.settled) return;
    this.settled = true;
    const result: PostResult = { kind: 'answered', status: this.status, latencyMs: elapsed(this.started), excerpt: this.kept ? this.kept.toString('utf8') : '' };
    if (this.retryAfter !== undefined) result.retryAfterMs = retryAfterToMs(this.retryAfter);
    this.resolve(result);
  }
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
