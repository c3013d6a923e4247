import { fragmentToPointer, getAtPointer } from './pointer.js';

/**
 * About how long the JSON of `doc` would be once every internal `$ref` is replaced by its target
 * (no whitespace). Each target is measured once (memoised by identity), so this is linear in the
 * size of the document even when the expansion is exponential. A reference back into a target being
 * measured (a cycle) counts as the `$ref` itself. Stops early, returning a value above `limit`,
 * as soon as the running total passes it.
 */
export function estimateDereferencedSize(doc: unknown, limit: number): number {
  const memo = new WeakMap<object, number>();
  const active = new WeakSet<object>();

  const measure = (node: unknown): number => {
    if (node === null) return 4;
    switch (typeof node) {
      case 'string':
        return node.length + 2;
      case 'number':
      case 'boolean':
        return String(node).length;
      case 'object':
        break;
      default:
        return 0;
    }
    const obj = node as object;
    const known = memo.get(obj);
    if (known !== undefined) return known;
    if (active.has(obj)) return 16;
    active.add(obj);
    let total = 2;
    const rec = obj as Record<string, unknown>;
    if (!Array.isArray(obj) && typeof rec.$ref === 'string' && rec.$ref.startsWith('#')) {
      const pointer = fragmentToPointer(rec.$ref);
      const target = pointer === undefined ? undefined : getAtPointer(doc, pointer);
      total = target === undefined || target === obj ? rec.$ref.length + 10 : measure(target);
    } else if (Array.isArray(obj)) {
      for (const item of obj) {
        total += measure(item) + 1;
        if (total > limit) break;
      }
    } else {
      for (const key of Object.keys(rec)) {
        total += key.length + 4 + measure(rec[key]);
        if (total > limit) break;
      }
    }
    active.delete(obj);
    memo.set(obj, total);
    return total;
  };

  return measure(doc);
}
