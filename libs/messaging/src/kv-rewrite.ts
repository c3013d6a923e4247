import type { KV } from '@nats-io/kv';
import { isWrongRevision } from './nats-errors.js';

export interface RewriteOptions<T> {
  /** Key prefix of the records (`i.` for `i.<id>`); the walk covers `<prefix>>`. */
  prefix: string;
  /** The record rewritten, or undefined when it needs no change. Called again on the latest record after a conflict. */
  rewrite: (record: T, key: string) => T | undefined;
  /** Attempts per record when concurrent writes keep winning; default 5. */
  attempts?: number;
}

export interface RewriteResult {
  /** Records that were rewritten. */
  rewritten: number;
  /** Records looked at. */
  scanned: number;
  /** Keys that could not be rewritten (each with the reason, never the value). */
  failed: Array<{ key: string; error: string }>;
}

/**
 * Walks the JSON records under a prefix of a KV bucket and writes back those
 * `rewrite` changes, each with compare-and-set on the revision it read: a
 * concurrent update wins, and the record is read again and rewritten from that
 * (used to re-seal secrets under a new key without losing a write that raced).
 * One record failing does not stop the walk; it is reported in `failed`.
 */
export async function rewriteKvRecords<T>(kv: KV, { prefix, rewrite, attempts = 5 }: RewriteOptions<T>): Promise<RewriteResult> {
  const keys: string[] = [];
  for await (const key of await kv.keys(`${prefix}>`)) keys.push(key);
  const result: RewriteResult = { rewritten: 0, scanned: 0, failed: [] };
  for (const key of keys) {
    try {
      const outcome = await rewriteOne(kv, key, rewrite, attempts);
      if (outcome !== 'absent') result.scanned++;
      if (outcome === 'rewritten') result.rewritten++;
    } catch (err) {
      result.scanned++;
      result.failed.push({ key, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return result;
}

async function rewriteOne<T>(kv: KV, key: string, rewrite: RewriteOptions<T>['rewrite'], attempts: number): Promise<'rewritten' | 'unchanged' | 'absent'> {
  for (let attempt = 1; ; attempt++) {
    const entry = await kv.get(key);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return 'absent';
    const next = rewrite(entry.json<T>(), key);
    if (next === undefined) return 'unchanged';
    try {
      await kv.update(key, JSON.stringify(next), entry.revision);
      return 'rewritten';
    } catch (err) {
      if (!isWrongRevision(err) || attempt >= attempts) throw err;
    }
  }
}
