import WebSocket from 'ws';

/** A message from the server as the tests read it. */
export interface ServerFrame {
  type: string;
  topic?: string;
  data?: unknown;
  ts?: string;
  count?: number;
  message?: string;
  topics?: string[];
  families?: string[];
  [key: string]: unknown;
}

export interface LiveClientOptions {
  /** Sent as x-api-key on the upgrade. */
  key?: string;
  /** Extra headers on the upgrade. */
  headers?: Record<string, string>;
  /** Path and query after the base URL (default /ws). */
  path?: string;
  /** ws option: answer pings automatically (default true). */
  autoPong?: boolean;
}

/**
 * A real `ws` client for the tests: records every frame, waits for frames
 * matching a predicate, and reports how the connection ended.
 */
export class LiveClient {
  readonly frames: ServerFrame[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The HTTP status when the upgrade was refused. */
  readonly refused: Promise<{ status: number; body: string }>;
  private waiters: Array<() => void> = [];

  constructor(baseUrl: string, options: LiveClientOptions = {}) {
    const url = baseUrl.replace(/^http/, 'ws') + (options.path ?? '/ws');
    const headers = { ...options.headers, ...(options.key ? { 'x-api-key': options.key } : {}) };
    this.ws = new WebSocket(url, { headers, autoPong: options.autoPong ?? true, perMessageDeflate: false });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.refused = new Promise((resolve) => {
      this.ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
    });
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as ServerFrame);
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    });
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  events(): ServerFrame[] {
    return this.frames.filter((f) => f.type === 'event');
  }

  /** The first frame (from `from` on) matching the predicate, waiting for it up to timeoutMs. */
  async next(predicate: (frame: ServerFrame) => boolean, timeoutMs = 10_000, from = 0): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-5)).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Subscribes and waits for the answer (subscribed or error). */
  async subscribe(topics: string[]): Promise<ServerFrame> {
    const from = this.frames.length;
    this.send({ type: 'subscribe', topics });
    return this.next((f) => f.type === 'subscribed' || f.type === 'error', 10_000, from);
  }

  async unsubscribe(topics: string[]): Promise<ServerFrame> {
    const from = this.frames.length;
    this.send({ type: 'unsubscribe', topics });
    return this.next((f) => f.type === 'unsubscribed' || f.type === 'error', 10_000, from);
  }

  close(): void {
    this.ws.terminate();
  }
}
