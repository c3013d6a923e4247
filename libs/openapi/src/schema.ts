import { isRecord } from './pointer.js';
import type { JsonSchema, ParsedApi } from './types.js';

/**
 * One schema of an operation as a self-contained JSON Schema: each `$ref` listed in
 * `api.refSchemas` (the recursion points that loadOpenApi leaves) is rewritten to
 * "#/$defs/<name>", and those definitions are added to the root's `$defs` (names taken from the
 * reference's last pointer token, made unique). The result compiles on its own (for instance with
 * ajv's 2020-12 dialect, after any 3.0 -> 2020-12 keyword translation). Other `$ref`s are left as
 * they are. The input is not modified.
 */
export function selfContainedSchema(api: Pick<ParsedApi, 'refSchemas'>, schema: JsonSchema | undefined): JsonSchema {
  if (schema === undefined) return {};
  const refs = api.refSchemas ?? {};
  const taken = new Set<string>(isRecord(schema.$defs) ? Object.keys(schema.$defs) : []);
  const names = new Map<string, string>();
  const defs: Record<string, JsonSchema> = {};

  const nameFor = (ref: string): string => {
    const known = names.get(ref);
    if (known !== undefined) return known;
    const last = ref.split('/').pop() ?? '';
    const base = last.replace(/~1/g, '_').replace(/~0/g, '_').replace(/[^A-Za-z0-9_.-]/g, '_') || 'ref';
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    names.set(ref, name);
    defs[name] = rewrite(refs[ref]) as JsonSchema;
    return name;
  };

  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (!isRecord(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      out[key] = key === '$ref' && typeof value === 'string' && Object.hasOwn(refs, value) ? `#/$defs/${nameFor(value)}` : rewrite(value);
    }
    return out;
  };

  const root = rewrite(schema) as JsonSchema;
  if (Object.keys(defs).length === 0) return root;
  return { ...root, $defs: { ...(isRecord(root.$defs) ? root.$defs : {}), ...defs } };
}
