import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST a receiver got. */
export interface ReceivedWebhook {
  path: string;
  id: string;
  timestamp: string;
  signature: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
  /** 1 for the first time this path saw this webhook-id. */
  nth: number;
}

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer after this long (a slow receiver). */
  delayMs?: number;
}

export type Behaviour = (hook: ReceivedWebhook) => Answer;

/**
 * A real HTTP webhook receiver on a local port, for tests. Each path has its
 * own behaviour (default: 200 "ok") and keeps what it received; `processed`
 * is what a receiver that deduplicates by webhook-id would act on, once each.
 */
export class WebhookReceiver {
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly log: ReceivedWebhook[] = [];
  private readonly seen = new Map<string, number>();
  private readonly open = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new WebhookReceiver(server, (server.address() as AddressInfo).port);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => receiver.answer(req.url ?? '/', req.headers, Buffer.concat(chunks).toString('utf8'), res));
    });
    return receiver;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  on(path: string, behaviour: Behaviour): void {
    this.behaviours.set(path, behaviour);
  }

  received(path: string): ReceivedWebhook[] {
    return this.log.filter((h) => h.path === path);
  }

  /** Distinct webhook-ids a path got, in the order first seen. */
  processed(path: string): ReceivedWebhook[] {
    return this.received(path).filter((h) => h.nth === 1);
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(path: string, headers: IncomingHttpHeaders, body: string, res: ServerResponse): void {
    const id = String(headers['webhook-id'] ?? '');
    const key = `${path} ${id}`;
    const nth = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, nth);
    const hook: ReceivedWebhook = {
      path,
      id,
      timestamp: String(headers['webhook-timestamp'] ?? ''),
      signature: String(headers['webhook-signature'] ?? ''),
      headers,
      body,
      at: Date.now(),
      nth,
    };
    this.log.push(hook);
    const answer: Answer = (this.behaviours.get(path) ?? (() => ({})))(hook);
    const send = (): void => {
      this.open.delete(res);
      if (res.destroyed) return;
      res.writeHead(answer.status ?? 200, { 'content-type': 'text/plain', ...answer.headers });
      res.end(answer.body ?? 'ok');
    };
    this.open.add(res);
    if (answer.delayMs) setTimeout(send, answer.delayMs);
    else send();
  }
}
