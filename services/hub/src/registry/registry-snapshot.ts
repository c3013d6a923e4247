import type { KV } from '@autoweave/messaging';
import type { IntegrationRecord, StoredIntegration } from './integration-record.js';

const RECORD_PREFIX = 'i.';

/**
 * This replica's in-memory view of the integrations bucket, kept current by a
 * KV watch (every replica sees every write, in order). The hot path
 * (`integration.request.execute`) reads from here instead of asking the KV
 * store on every call; the KV store stays the source of truth.
 */
export class RegistrySnapshot {
  private readonly records = new Map<string, StoredIntegration>();
  private stopWatch?: () => void;
  private readonly listeners = new Set<(id: string, stored: StoredIntegration | undefined) => void>();

  constructor(private readonly kv: KV) {}

  /** Resolves once the current contents are loaded. */
  async start(): Promise<void> {
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    if (!(await this.hasRecords())) markReady();
    const watch = await this.kv.watch({ key: `${RECORD_PREFIX}>` });
    this.stopWatch = () => watch.stop();
    void (async () => {
      for await (const entry of watch) {
        // delta counts the entries still to come of the initial load; 0 marks its last one.
        if (entry.delta === 0) markReady();
        const id = entry.key.slice(RECORD_PREFIX.length);
        if (entry.operation === 'PUT' && entry.length > 0) {
          const stored = { record: entry.json<IntegrationRecord>(), revision: entry.revision };
          this.records.set(id, stored);
          this.notify(id, stored);
        } else {
          this.records.delete(id);
          this.notify(id, undefined);
        }
      }
    })();
    await ready;
  }

  private async hasRecords(): Promise<boolean> {
    for await (const _key of await this.kv.keys(`${RECORD_PREFIX}>`)) return true;
    return false;
  }

  get(id: string): StoredIntegration | undefined {
    return this.records.get(id);
  }

  all(): StoredIntegration[] {
    return [...this.records.values()];
  }

  /** Called after every change seen (id, the new state or undefined when deleted). */
  onChange(listener: (id: string, stored: StoredIntegration | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.stopWatch?.();
  }

  private notify(id: string, stored: StoredIntegration | undefined): void {
    for (const listener of this.listeners) listener(id, stored);
  }
}
