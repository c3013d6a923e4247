import { fragmentToPointer, getAtPointer } from './pointer.js';

interface Measure {
  size: number;
  /** The value reaches a reference back into a value being measured (it is, or contains, a cycle). */
  circular: boolean;
}

/**
 * About how long the JSON of `doc` is once its internal `$ref`s are replaced the way the validator
 * does it (json-schema-ref-parser with `circular: "ignore"`): a `$ref` whose target is or contains a
 * cycle stays a `$ref`; any other is replaced by its target. Each value is measured once (memoised by
 * identity), so this is linear in the size of the document even when the expansion is exponential
 * (a "billion laughs" of references). Stops adding, returning a value above `limit`, once past it.
 */
export function estimateDereferencedSize(doc: unknown, limit: number): number {
  const memo = new WeakMap<object, Measure>();
  const active = new WeakSet<object>();

  const measure = (node: unknown): Measure => {
    if (node === null) return { size: 4, circular: false };
    switch (typeof node) {
      case 'string':
        return { size: node.length + 2, circular: false };
      case 'number':
      case 'boolean':
        return { size: String(node).length, circular: false };
      case 'object':
        break;
      default:
        return { size: 0, circular: false };
    }
    const obj = node as object;
    const known = memo.get(obj);
    if (known !== undefined) return known;
    if (active.has(obj)) return { size: 16, circular: true };
    active.add(obj);
    let result: Measure;
    const rec = obj as Record<string, unknown>;
    if (!Array.isArray(obj) && typeof rec.$ref === 'string' && rec.$ref.startsWith('#')) {
      const pointer = fragmentToPointer(rec.$ref);
      const target = pointer === undefined ? undefined : getAtPointer(doc, pointer);
      const kept = { size: rec.$ref.length + 12, circular: false };
      if (target === undefined || target === obj) result = kept;
      else {
        const t = measure(target);
        result = t.circular ? { size: kept.size, circular: true } : t;
      }
    } else {
      let size = 2;
      let circular = false;
      const entries: Array<[string, unknown]> = Array.isArray(obj) ? obj.map((v) => ['', v]) : Object.entries(rec);
      for (const [key, value] of entries) {
        const m = measure(value);
        size += key.length + 4 + m.size;
        circular ||= m.circular;
        if (size > limit) break;
      }
      result = { size, circular };
    }
    active.delete(obj);
    memo.set(obj, result);
    return result;
  };

  return measure(doc).size;
}
