/**
 * Strict mode: unknown (misspelt) fields are errors.
 *
 * kubernetes-models ships its schemas only as compiled validators, which ignore fields the schema does
 * not list. We learn what each schema lists by watching the validator work: the object is handed in
 * behind a proxy that records, per object in the tree, which property names the validator looks up.
 * A compiled ajv validator looks up every property its schema lists (`data.replicas !== undefined`,
 * `required` checks), whether present or not, and enumerates the keys of an object only when the
 * schema has `additionalProperties`/`patternProperties` (maps such as labels, ConfigMap data).
 *
 * So, after validation, for every plain object the validator visited:
 *  - keys enumerated                       -> a map: any key is allowed;
 *  - no property looked up, no enumeration -> a free-form object (no properties in the schema, e.g.
 *    `x-kubernetes-preserve-unknown-fields`): any key is allowed;
 *  - otherwise                             -> every own key the validator never looked up is unknown.
 * This is what compiling the same schemas with `additionalProperties: false` added to each object
 * schema that lists `properties` (and has no additionalProperties / preserve-unknown-fields) gives.
 */

interface Visit {
  pointer: string;
  target: object;
  looked: Set<string>;
  enumerated: boolean;
}

export interface UnknownField {
  /** JSON pointer of the unknown field. */
  path: string;
  field: string;
  /** The known field with the closest spelling, when one is close. */
  suggestion?: string;
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Wraps `root` so that reads are recorded; `unknownFields()` reports after the validator ran. */
export function trackReads(root: object): { proxy: object; unknownFields(): UnknownField[] } {
  const visits: Visit[] = [];

  const wrap = (target: object, pointer: string): object => {
    const visit: Visit = { pointer, target, looked: new Set(), enumerated: false };
    visits.push(visit);
    const children = new Map<string, object>();
    const child = (key: string, value: unknown): unknown => {
      if (value === null || typeof value !== 'object') return value;
      if (!Object.prototype.hasOwnProperty.call(target, key)) return value;
      let proxy = children.get(key);
      if (!proxy) {
        proxy = wrap(value, `${pointer}/${escapePointer(key)}`);
        children.set(key, proxy);
      }
      return proxy;
    };
    return new Proxy(target, {
      get(t, key, receiver) {
        if (typeof key === 'symbol') return Reflect.get(t, key, receiver);
        visit.looked.add(key);
        return child(key, Reflect.get(t, key, receiver));
      },
      has(t, key) {
        if (typeof key === 'string') visit.looked.add(key);
        return Reflect.has(t, key);
      },
      getOwnPropertyDescriptor(t, key) {
        if (typeof key === 'string') visit.looked.add(key);
        return Reflect.getOwnPropertyDescriptor(t, key);
      },
      ownKeys(t) {
        visit.enumerated = true;
        return Reflect.ownKeys(t);
      },
    });
  };

  const proxy = wrap(root, '');
  return {
    proxy,
    unknownFields(): UnknownField[] {
      const out: UnknownField[] = [];
      for (const v of visits) {
        if (v.enumerated || v.looked.size === 0 || !isPlainObject(v.target)) continue;
        for (const key of Object.keys(v.target)) {
          if (v.looked.has(key)) continue;
          const suggestion = closest(key, v.looked);
          out.push({ path: `${v.pointer}/${escapePointer(key)}`, field: key, ...(suggestion ? { suggestion } : {}) });
        }
      }
      return out;
    },
  };
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function closest(field: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = field.toLowerCase();
  for (const k of known) {
    const d = k.toLowerCase() === lower ? 0.5 : distance(field, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(field.length / 4)) ? best : undefined;
}
