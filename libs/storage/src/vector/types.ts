/** A payload value a search filter can match exactly. */
export type FilterScalar = string | number | boolean;

/**
 * Exact-match conditions on payload fields, all of which must hold. A key may
 * be a dotted path (`meta.kind`); when the payload value is an array, the
 * condition holds if any element equals the scalar (Qdrant's `match` rule).
 */
export type VectorFilter = Record<string, FilterScalar>;

export interface VectorPoint {
  /** The item's key; the store maps it to its own id (Qdrant: a UUID derived from it). */
  id: string;
  vector: ArrayLike<number>;
  payload: Record<string, unknown>;
}

export interface VectorHit {
  id: string;
  /** Cosine similarity, in [-1, 1]; higher is nearer. */
  score: number;
  payload: Record<string, unknown>;
}

export interface VectorSearchOptions {
  limit: number;
  filter?: VectorFilter;
}

/** Which points `delete` removes: these keys, or every point matching the filter. */
export type VectorSelector = { ids: string[] } | { filter: VectorFilter };

/**
 * One interface over the embedded store and Qdrant, so indexing and search do
 * not care which one is configured. Collections are created on the first
 * upsert with the dimension of its vectors; distance is always cosine.
 */
export interface VectorStore {
  readonly kind: 'embedded' | 'qdrant';
  /** Insert or replace by id; idempotent. Resolves once the points are durable. */
  upsert(collection: string, points: VectorPoint[]): Promise<void>;
  /** Nearest points first. A collection that does not exist yet has no hits. */
  search(collection: string, vector: ArrayLike<number>, options: VectorSearchOptions): Promise<VectorHit[]>;
  delete(collection: string, selector: VectorSelector): Promise<void>;
  count(collection: string, filter?: VectorFilter): Promise<number>;
  close(): Promise<void>;
}
