import { AppError } from '@autoweave/contracts';
import { matchesFilter } from './filter.js';
import type { VectorFilter, VectorHit } from './types.js';

/**
 * The in-memory side of an embedded collection: unit-length vectors packed
 * in one Float32Array (so cosine similarity is a dot product), ids and
 * payloads beside them. Search is exact and brute force: for the tens of
 * thousands of points this store is meant for, it takes milliseconds and
 * needs no index to build or tune.
 */
export class VectorIndex {
  private data = new Float32Array(0);
  private readonly ids: string[] = [];
  private readonly payloads: Record<string, unknown>[] = [];
  private readonly positions = new Map<string, number>();

  constructor(private dims: number | undefined = undefined) {}

  get dimensions(): number | undefined {
    return this.dims;
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.positions.has(id);
  }

  /** Checks a vector against the collection's dimension and returns it as unit length. */
  normalize(id: string, vector: ArrayLike<number>): Float32Array {
    if (this.dims !== undefined && vector.length !== this.dims) {
      throw new AppError('VALIDATION', `point "${id}": vector has ${vector.length} dimensions, the collection has ${this.dims}`, { id });
    }
    if (vector.length === 0) throw new AppError('VALIDATION', `point "${id}": vector is empty`, { id });
    return toUnit(vector, `point "${id}"`);
  }

  /** Inserts or replaces; `unit` must come from `normalize`. */
  set(id: string, unit: Float32Array, payload: Record<string, unknown>): void {
    if (this.dims === undefined) this.dims = unit.length;
    const dims = this.dims;
    let position = this.positions.get(id);
    if (position === undefined) {
      position = this.ids.length;
      this.ensureCapacity(position + 1);
      this.ids.push(id);
      this.payloads.push(payload);
      this.positions.set(id, position);
    } else {
      this.payloads[position] = payload;
    }
    this.data.set(unit, position * dims);
  }

  /** Removes by swapping the last point into the hole; false when absent. */
  remove(id: string): boolean {
    const position = this.positions.get(id);
    if (position === undefined) return false;
    const last = this.ids.length - 1;
    const dims = this.dims!;
    if (position !== last) {
      const lastId = this.ids[last]!;
      this.ids[position] = lastId;
      this.payloads[position] = this.payloads[last]!;
      this.data.copyWithin(position * dims, last * dims, (last + 1) * dims);
      this.positions.set(lastId, position);
    }
    this.ids.pop();
    this.payloads.pop();
    this.positions.delete(id);
    return true;
  }

  idsMatching(filter: VectorFilter): string[] {
    return this.ids.filter((_, i) => matchesFilter(this.payloads[i]!, filter));
  }

  count(filter?: VectorFilter): number {
    if (!filter) return this.ids.length;
    let n = 0;
    for (const payload of this.payloads) if (matchesFilter(payload, filter)) n++;
    return n;
  }

  search(query: ArrayLike<number>, limit: number, filter?: VectorFilter): VectorHit[] {
    const dims = this.dims;
    if (dims === undefined || this.ids.length === 0 || limit <= 0) return [];
    if (query.length !== dims) {
      throw new AppError('VALIDATION', `query vector has ${query.length} dimensions, the collection has ${dims}`);
    }
    const unit = toUnit(query, 'query vector');
    const data = this.data;
    // Best `limit` positions so far, kept sorted by score (descending).
    const top: { position: number; score: number }[] = [];
    for (let p = 0; p < this.ids.length; p++) {
      let dot = 0;
      const base = p * dims;
      for (let d = 0; d < dims; d++) dot += data[base + d]! * unit[d]!;
      if (top.length === limit && !beats(dot, this.ids[p]!, top[limit - 1]!.score, this.ids[top[limit - 1]!.position]!)) continue;
      if (filter && !matchesFilter(this.payloads[p]!, filter)) continue;
      let at = top.length;
      while (at > 0 && beats(dot, this.ids[p]!, top[at - 1]!.score, this.ids[top[at - 1]!.position]!)) at--;
      top.splice(at, 0, { position: p, score: dot });
      if (top.length > limit) top.pop();
    }
    // Copies: a caller changing a hit must not change the stored payload behind the log's back.
    return top.map(({ position, score }) => ({ id: this.ids[position]!, score, payload: structuredClone(this.payloads[position]!) }));
  }

  /** Every point, for a snapshot. */
  entries(): { ids: readonly string[]; payloads: readonly Record<string, unknown>[]; vectors: Float32Array } {
    return { ids: this.ids, payloads: this.payloads, vectors: this.data.subarray(0, this.ids.length * (this.dims ?? 0)) };
  }

  private ensureCapacity(points: number): void {
    const needed = points * this.dims!;
    if (needed <= this.data.length) return;
    const grown = new Float32Array(Math.max(needed, this.data.length * 2, this.dims! * 64));
    grown.set(this.data);
    this.data = grown;
  }
}

/** Higher score first; equal scores in id order, so results are deterministic. */
function beats(score: number, id: string, otherScore: number, otherId: string): boolean {
  return score > otherScore || (score === otherScore && id < otherId);
}

/** A Float32Array copy of `vector` scaled to length 1 (a zero vector stays zero and scores 0 against everything). */
export function toUnit(vector: ArrayLike<number>, what: string): Float32Array {
  const unit = new Float32Array(vector.length);
  let sum = 0;
  for (let i = 0; i < vector.length; i++) {
    const v = vector[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new AppError('VALIDATION', `${what}: vector element ${i} is not a finite number`);
    }
    unit[i] = v;
    sum += v * v;
  }
  if (sum > 0) {
    const scale = 1 / Math.sqrt(sum);
    for (let i = 0; i < unit.length; i++) unit[i]! *= scale;
  }
  return unit;
}
