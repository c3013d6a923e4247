import type { VectorFilter, VectorHit, VectorPoint } from '../../vector/types.js';
import { pointIdOf } from './point-id.js';

/**
 * Everything the Qdrant store sends, built by plain functions so it is
 * tested without a server. Qdrant point ids must be UUIDs or integers, so the
 * item key travels in the payload under `KEY_PAYLOAD_FIELD` and comes back
 * from there in search hits.
 */
export const KEY_PAYLOAD_FIELD = '__key';

export const PAYLOAD_INDEX_SCHEMAS = ['keyword', 'integer', 'float', 'bool', 'text', 'datetime', 'uuid'] as const;
export type PayloadIndexSchema = (typeof PAYLOAD_INDEX_SCHEMAS)[number];

export interface PayloadIndex {
  field: string;
  schema: PayloadIndexSchema;
}

export interface QdrantPoint {
  id: string;
  vector: number[];
  payload: Record<string, unknown>;
}

export function toQdrantPoints(points: readonly VectorPoint[]): QdrantPoint[] {
  return points.map((point) => ({
    id: pointIdOf(point.id),
    vector: Array.from(point.vector),
    payload: { ...point.payload, [KEY_PAYLOAD_FIELD]: point.id },
  }));
}

/** Splits a list into runs of at most `size`. */
export function inBatches<T>(list: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`batch size must be a positive integer, got ${size}`);
  const batches: T[][] = [];
  for (let i = 0; i < list.length; i += size) batches.push(list.slice(i, i + size));
  return batches;
}

/** The body of `PUT /collections/{name}`: one unnamed vector of the embedding's size, cosine distance. */
export function collectionParams(dimensions: number): { vectors: { size: number; distance: 'Cosine' } } {
  if (!Number.isInteger(dimensions) || dimensions < 1) throw new Error(`dimensions must be a positive integer, got ${dimensions}`);
  return { vectors: { size: dimensions, distance: 'Cosine' } };
}

/** The vector size of an existing collection, from `GET /collections/{name}` (undefined for named-vector layouts). */
export function collectionDimensions(info: { config?: { params?: { vectors?: unknown } } }): number | undefined {
  const vectors = info.config?.params?.vectors as { size?: unknown } | undefined;
  return typeof vectors?.size === 'number' ? vectors.size : undefined;
}

export function payloadIndexRequests(indexes: readonly PayloadIndex[]): { field_name: string; field_schema: PayloadIndexSchema; wait: true }[] {
  return indexes.map((index) => ({ field_name: index.field, field_schema: index.schema, wait: true }));
}

export interface QdrantFilter {
  must: { key: string; match: { value: string | number | boolean } }[];
}

/** Exact-match conditions as a Qdrant filter; nested keys use Qdrant's own dotted paths. */
export function toQdrantFilter(filter: VectorFilter | undefined): QdrantFilter | undefined {
  if (!filter || Object.keys(filter).length === 0) return undefined;
  return { must: Object.entries(filter).map(([key, value]) => ({ key, match: { value } })) };
}

export function deleteByIdsRequest(ids: readonly string[]): { wait: true; points: string[] } {
  return { wait: true, points: ids.map(pointIdOf) };
}

/** A scored point from Qdrant as a hit keyed by the item key. */
export function toHit(point: { id: string | number; score: number; payload?: Record<string, unknown> | null }): VectorHit {
  const { [KEY_PAYLOAD_FIELD]: key, ...payload } = point.payload ?? {};
  return { id: typeof key === 'string' ? key : String(point.id), score: point.score, payload };
}
