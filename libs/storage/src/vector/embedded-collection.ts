import { mkdir, open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import type { VectorFilter, VectorHit, VectorPoint } from './types.js';
import { VectorIndex } from './vector-index.js';

/**
 * One collection of the embedded vector store, in its own folder:
 *
 *   snapshot.bin  the whole collection at the last compaction (written to a
 *                 temporary file, fsynced, then renamed over: never torn)
 *   log.jsonl     every upsert/delete batch since, one JSON line per batch,
 *                 appended and fsynced before the batch is acknowledged
 *
 * Opening loads the snapshot and replays the log. A batch is one line, so a
 * crash mid-append leaves at most a torn last line: that batch was never
 * acknowledged, and it is dropped (and cut off the file). Replaying a log
 * over a snapshot that already contains it is harmless (upserts and deletes
 * by id are idempotent), which is what makes compaction crash-safe.
 *
 * One writer: a collection belongs to one process (the pipeline worker's
 * lease on a pipeline ensures that). Other processes opening the same folder
 * see it as it was when they opened it.
 *
 * Vectors are stored unit-length (cosine distance needs nothing else), as
 * float32 little-endian.
 */

const SNAPSHOT = 'snapshot.bin';
const LOG = 'log.jsonl';
const MAGIC = Buffer.from('AWVS');
const FORMAT_VERSION = 1;

/** A batch as one log line: upserts as [id, base64 float32 vector, payload], deletes as ids. */
type LogEntry = { u: [string, string, Record<string, unknown>][] } | { d: string[] };

interface SnapshotHeader {
  dimensions: number | null;
  ids: string[];
  payloads: Record<string, unknown>[];
}

export interface EmbeddedCollectionOptions {
  /** Compact when the log reaches this many bytes and at least half the snapshot's size. Default 16 MiB. */
  compactBytes?: number;
  logger?: Logger;
}

export class EmbeddedCollection {
  private readonly index = new VectorIndex();
  private log: FileHandle | undefined;
  private logBytes = 0;
  private snapshotBytes = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly options: EmbeddedCollectionOptions,
  ) {}

  static async open(dir: string, options: EmbeddedCollectionOptions = {}): Promise<EmbeddedCollection> {
    const collection = new EmbeddedCollection(dir, options);
    await collection.load();
    return collection;
  }

  get dimensions(): number | undefined {
    return this.index.dimensions;
  }

  get size(): number {
    return this.index.size;
  }

  upsert(points: VectorPoint[]): Promise<void> {
    return this.exclusive(async () => {
      if (points.length === 0) return;
      // Check everything before writing anything: a bad point fails the batch, changing nothing.
      let dims = this.index.dimensions;
      const prepared = points.map((point) => {
        if (typeof point.id !== 'string' || point.id === '') throw new AppError('VALIDATION', 'point id must be a non-empty string');
        if (dims !== undefined && point.vector.length !== dims) {
          throw new AppError('VALIDATION', `point "${point.id}": vector has ${point.vector.length} dimensions, the collection has ${dims}`, { id: point.id });
        }
        const unit = this.index.normalize(point.id, point.vector);
        dims ??= unit.length;
        // A copy, so the caller's later changes to its item do not reach the store unlogged.
        return { id: point.id, unit, payload: structuredClone(point.payload ?? {}) };
      });
      await this.append({ u: prepared.map((p) => [p.id, encodeVector(p.unit), p.payload]) });
      for (const p of prepared) this.index.set(p.id, p.unit, p.payload);
      await this.maybeCompact();
    });
  }

  /** Removes these ids, or every point matching `filter`; resolves to how many went. */
  delete(selector: { ids: string[] } | { filter: VectorFilter }): Promise<number> {
    return this.exclusive(async () => {
      const ids = 'ids' in selector ? selector.ids.filter((id) => this.index.has(id)) : this.index.idsMatching(selector.filter);
      if (ids.length === 0) return 0;
      await this.append({ d: ids });
      for (const id of ids) this.index.remove(id);
      await this.maybeCompact();
      return ids.length;
    });
  }

  search(vector: ArrayLike<number>, limit: number, filter?: VectorFilter): VectorHit[] {
    return this.index.search(vector, limit, filter);
  }

  count(filter?: VectorFilter): number {
    return this.index.count(filter);
  }

  /** Writes a snapshot of the current state and starts an empty log. */
  compact(): Promise<void> {
    return this.exclusive(() => this.writeSnapshot());
  }

  close(): Promise<void> {
    return this.exclusive(async () => {
      this.closed = true;
      await this.log?.close();
      this.log = undefined;
    });
  }

  /** Runs write operations one at a time, in call order. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new AppError('UNAVAILABLE', `vector collection ${this.dir} is closed`);
      return work();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await rm(join(this.dir, `${SNAPSHOT}.tmp`), { force: true });
    const snapshot = await readOptional(join(this.dir, SNAPSHOT));
    if (snapshot) {
      this.snapshotBytes = snapshot.length;
      this.restoreSnapshot(snapshot);
    }
    const log = await readOptional(join(this.dir, LOG));
    let validBytes = 0;
    if (log) {
      validBytes = this.replay(log);
      if (validBytes < log.length) {
        this.options.logger?.warn({ dir: this.dir, dropped: log.length - validBytes }, 'vector store: dropped a torn last log line (an unacknowledged batch)');
      }
    }
    this.log = await open(join(this.dir, LOG), 'a+');
    if (log && validBytes < log.length) {
      await this.log.truncate(validBytes);
      await this.log.datasync();
    }
    this.logBytes = validBytes;
  }

  /** Applies complete lines; returns the byte length of what was whole. */
  private replay(log: Buffer): number {
    let start = 0;
    let line = 0;
    while (start < log.length) {
      const end = log.indexOf(0x0a, start);
      if (end === -1) break; // torn last line: the batch was never acknowledged
      line++;
      const text = log.subarray(start, end).toString('utf8');
      start = end + 1;
      if (text.trim() === '') continue;
      let entry: LogEntry;
      try {
        entry = JSON.parse(text) as LogEntry;
      } catch {
        // A whole line that does not parse is damage, not a torn append; keep the rest.
        this.options.logger?.error({ dir: this.dir, line }, 'vector store: skipped an unreadable log line');
        continue;
      }
      this.applyEntry(entry);
    }
    return start;
  }

  private applyEntry(entry: LogEntry): void {
    if ('u' in entry) {
      for (const [id, vector, payload] of entry.u) this.index.set(id, decodeVector(vector), payload);
    } else {
      for (const id of entry.d) this.index.remove(id);
    }
  }

  private async append(entry: LogEntry): Promise<void> {
    const line = Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
    const log = this.log!;
    try {
      await log.write(line);
      await log.datasync();
    } catch (err) {
      // Cut off a partial line (disk full...) so the next batch does not land on its tail.
      await log.truncate(this.logBytes).catch(() => undefined);
      throw new AppError('UNAVAILABLE', `vector store: cannot write to ${this.dir}: ${(err as Error).message}`, undefined, { cause: err });
    }
    this.logBytes += line.length;
  }

  private async maybeCompact(): Promise<void> {
    const threshold = this.options.compactBytes ?? 16 * 1024 * 1024;
    if (this.logBytes >= threshold && this.logBytes >= this.snapshotBytes / 2) await this.writeSnapshot();
  }

  private async writeSnapshot(): Promise<void> {
    const { ids, payloads, vectors } = this.index.entries();
    const header: SnapshotHeader = { dimensions: this.index.dimensions ?? null, ids: [...ids], payloads: [...payloads] };
    const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
    const prefix = Buffer.alloc(12);
    MAGIC.copy(prefix, 0);
    prefix.writeUInt32LE(FORMAT_VERSION, 4);
    prefix.writeUInt32LE(headerBytes.length, 8);
    const body = Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength);

    const tmp = join(this.dir, `${SNAPSHOT}.tmp`);
    const file = await open(tmp, 'w');
    try {
      await file.writev([prefix, headerBytes, body]);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, join(this.dir, SNAPSHOT));
    await syncDir(this.dir);
    // The snapshot now holds everything the log did; a crash before this truncation only means a harmless replay.
    await this.log!.truncate(0);
    await this.log!.datasync();
    this.snapshotBytes = prefix.length + headerBytes.length + body.length;
    this.logBytes = 0;
  }

  private restoreSnapshot(snapshot: Buffer): void {
    if (snapshot.length < 12 || !snapshot.subarray(0, 4).equals(MAGIC)) {
      throw new AppError('INTERNAL', `vector store: ${join(this.dir, SNAPSHOT)} is not a snapshot`);
    }
    const version = snapshot.readUInt32LE(4);
    if (version !== FORMAT_VERSION) throw new AppError('INTERNAL', `vector store: snapshot format ${version} is not supported`);
    const headerLength = snapshot.readUInt32LE(8);
    const header = JSON.parse(snapshot.subarray(12, 12 + headerLength).toString('utf8')) as SnapshotHeader;
    if (header.dimensions === null) return;
    const dims = header.dimensions;
    const body = snapshot.subarray(12 + headerLength);
    if (body.length !== header.ids.length * dims * 4) throw new AppError('INTERNAL', `vector store: ${join(this.dir, SNAPSHOT)} is truncated`);
    const vectors = new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.length));
    header.ids.forEach((id, i) => this.index.set(id, vectors.subarray(i * dims, (i + 1) * dims), header.payloads[i] ?? {}));
  }
}

function encodeVector(unit: Float32Array): string {
  return Buffer.from(unit.buffer, unit.byteOffset, unit.byteLength).toString('base64');
}

function decodeVector(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Makes a rename in `dir` durable (the directory entry itself). */
async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await handle?.close();
  }
}

/** Bytes a collection's files take, for tests and status. */
export async function collectionFileSizes(dir: string): Promise<{ snapshot: number; log: number }> {
  const size = async (name: string) => (await stat(join(dir, name)).catch(() => undefined))?.size ?? 0;
  return { snapshot: await size(SNAPSHOT), log: await size(LOG) };
}
