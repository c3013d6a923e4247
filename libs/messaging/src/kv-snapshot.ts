import type { KV } from '@nats-io/kv';

type Listener<E> = (id: string, entry: E | undefined) => void;

/**
 * An in-memory view of the JSON entries under one key prefix of a KV bucket,
 * kept current by a watch (every replica sees every write, in order). Hot paths
 * read from here instead of asking the KV store each time; the bucket stays the
 * source of truth. Ids are keys without the prefix; `wrap` turns a parsed
 * JSON value and its revision into the entry kept (once per write, not per read).
 */
export class KvSnapshot<E> {
  private readonly entries = new Map<string, E>();
  private readonly listeners = new Set<Listener<E>>();
  private stopWatch?: () => void;

  constructor(
    private readonly kv: KV,
    private readonly prefix: string,
    private readonly wrap: (value: unknown, revision: number) => E,
  ) {}

  /** Resolves once the current contents are loaded. */
  async start(): Promise<void> {
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    if (!(await this.hasEntries())) markReady();
    const watch = await this.kv.watch({ key: `${this.prefix}>` });
    this.stopWatch = () => watch.stop();
    void (async () => {
      for await (const entry of watch) {
        // delta counts the entries still to come of the initial load; 0 marks its last one.
        if (entry.delta === 0) markReady();
        const id = entry.key.slice(this.prefix.length);
        if (entry.operation === 'PUT' && entry.length > 0) {
          const stored = this.wrap(entry.json<unknown>(), entry.revision);
          this.entries.set(id, stored);
          this.notify(id, stored);
        } else {
          this.entries.delete(id);
          this.notify(id, undefined);
        }
      }
    })();
    await ready;
  }

  private async hasEntries(): Promise<boolean> {
    for await (const _key of await this.kv.keys(`${this.prefix}>`)) return true;
    return false;
  }

  get(id: string): E | undefined {
    return this.entries.get(id);
  }

  all(): E[] {
    return [...this.entries.values()];
  }

  /** Called after every change seen (id, the new entry or undefined when deleted). */
  onChange(listener: Listener<E>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.stopWatch?.();
  }

  private notify(id: string, entry: E | undefined): void {
    for (const listener of this.listeners) listener(id, entry);
  }
}
