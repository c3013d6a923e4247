import { AppError } from '@autoweave/contracts';
import type { Embedder } from './types.js';

interface Waiting {
  text: string;
  resolve(vector: number[]): void;
  reject(err: unknown): void;
}

/**
 * Merges the single-text calls an `embed` processor makes for the items of
 * one batch into one `embed` call: calls that arrive before the event loop
 * turns (items processed concurrently) go out together, so a remote model
 * sees one request per batch instead of one per item.
 *
 * When a merged call fails because of its input (an upstream 4xx), each text
 * is retried on its own, so one bad item does not take its neighbours to the
 * dead-letter stream; an outage (5xx, timeout, unreachable) fails them all
 * at once without hammering the server.
 */
export class CoalescingEmbedder implements Embedder {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(
    private readonly inner: Embedder,
    private readonly maxTexts = 256,
  ) {}

  get dimensions(): number | undefined {
    return this.inner.dimensions;
  }

  embed(texts: string[]): Promise<number[][]> {
    return Promise.all(texts.map((text) => this.embedOne(text)));
  }

  embedOne(text: string): Promise<number[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ text, resolve, reject });
      if (this.waiting.length >= this.maxTexts) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }

  private flush(): void {
    this.scheduled = false;
    const group = this.waiting;
    this.waiting = [];
    if (group.length > 0) void this.send(group);
  }

  private async send(group: Waiting[]): Promise<void> {
    try {
      const vectors = await this.inner.embed(group.map((w) => w.text));
      group.forEach((w, i) => w.resolve(vectors[i]!));
    } catch (err) {
      if (group.length > 1 && isInputError(err)) {
        for (const w of group) await this.send([w]);
        return;
      }
      for (const w of group) w.reject(err);
    }
  }
}

function isInputError(err: unknown): boolean {
  if (!(err instanceof AppError) || err.code !== 'UPSTREAM') return false;
  const status = (err.details as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 429;
}
