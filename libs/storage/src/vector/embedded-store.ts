import { join, resolve } from 'node:path';
import { AppError } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import { assertCollectionName } from './collection-name.js';
import { EmbeddedCollection, type EmbeddedCollectionOptions } from './embedded-collection.js';
import { assertFilter } from './filter.js';
import type { VectorFilter, VectorHit, VectorPoint, VectorSearchOptions, VectorSelector, VectorStore } from './types.js';

export interface EmbeddedVectorStoreOptions {
  /** The folder holding one sub-folder per collection (by default `<dataDir>/vectors`). */
  dir: string;
  compactBytes?: number;
  logger?: Logger;
}

interface Shared {
  opening: Promise<EmbeddedCollection>;
  users: number;
}

/**
 * Collections open in this process, by folder: two stores (two pipeline
 * stages, or a destination and a search) over the same folder share one
 * collection, so there is one writer per collection per process.
 */
const openCollections = new Map<string, Shared>();

/**
 * The default vector store: file-backed collections under the data folder,
 * exact cosine search. Needs no server, so semantic search works out of the
 * box; Qdrant takes over when it is configured (`createVectorStore`).
 */
export class EmbeddedVectorStore implements VectorStore {
  readonly kind = 'embedded' as const;
  private readonly mine = new Map<string, Promise<EmbeddedCollection>>();
  private closed = false;

  constructor(private readonly options: EmbeddedVectorStoreOptions) {}

  async upsert(collection: string, points: VectorPoint[]): Promise<void> {
    await (await this.collection(collection)).upsert(points);
  }

  async search(collection: string, vector: ArrayLike<number>, options: VectorSearchOptions): Promise<VectorHit[]> {
    if (options.filter !== undefined) assertFilter(options.filter);
    return (await this.collection(collection)).search(vector, options.limit, options.filter);
  }

  async delete(collection: string, selector: VectorSelector): Promise<void> {
    if ('filter' in selector) assertFilter(selector.filter);
    await (await this.collection(collection)).delete(selector);
  }

  async count(collection: string, filter?: VectorFilter): Promise<number> {
    if (filter !== undefined) assertFilter(filter);
    return (await this.collection(collection)).count(filter);
  }

  /** Snapshots a collection now (compaction otherwise happens as its log grows). */
  async compact(collection: string): Promise<void> {
    await (await this.collection(collection)).compact();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const dir of this.mine.keys()) {
      const shared = openCollections.get(dir);
      if (!shared) continue;
      shared.users--;
      if (shared.users === 0) {
        openCollections.delete(dir);
        await (await shared.opening.catch(() => undefined))?.close();
      }
    }
    this.mine.clear();
  }

  private collection(name: string): Promise<EmbeddedCollection> {
    if (this.closed) return Promise.reject(new AppError('UNAVAILABLE', 'the vector store is closed'));
    assertCollectionName(name);
    const dir = resolve(join(this.options.dir, name));
    const known = this.mine.get(dir);
    if (known) return known;
    let shared = openCollections.get(dir);
    if (!shared) {
      const options: EmbeddedCollectionOptions = { compactBytes: this.options.compactBytes, logger: this.options.logger };
      shared = { opening: EmbeddedCollection.open(dir, options), users: 0 };
      openCollections.set(dir, shared);
      // A folder that failed to open may be retried later.
      shared.opening.catch(() => openCollections.get(dir) === shared && openCollections.delete(dir));
    }
    shared.users++;
    const opening = shared.opening;
    this.mine.set(dir, opening);
    opening.catch(() => {
      if (this.mine.get(dir) !== opening) return;
      this.mine.delete(dir);
      shared.users--;
    });
    return opening;
  }
}
