import type { JsonSchema } from '@autoweave/openapi';

/**
 * Turns an OpenAPI schema (3.0 dialect or 3.1 = JSON Schema 2020-12) into a
 * plain JSON Schema 2020-12 document that ajv/dist/2020 compiles:
 *
 * - 3.0 `nullable: true` becomes `type: [t, 'null']` (and adds null to an `enum`);
 *   without a `type` it wraps the schema in `anyOf: [schema, {type: 'null'}]`.
 * - 3.0 boolean `exclusiveMinimum`/`exclusiveMaximum` become the 2020 numeric form.
 * - For request data, `readOnly` properties are dropped from `required`
 *   (OpenAPI: "required takes effect on the response only").
 * - `$schema` and `$id` of embedded schemas are dropped (they would re-root refs).
 * - Cycles left by dereferencing (recursive schemas are cyclic object graphs) are
 *   turned back into `$ref: '#/$defs/cycleN'`, with the definitions on the root.
 *
 * The input is never modified. Each call returns a fresh document.
 */
export function toJsonSchema2020(schema: JsonSchema | undefined): JsonSchema {
  if (schema === undefined) return {};
  const state: WalkState = { onStack: new Set(), cycleNames: new Map(), defs: {} };
  const root = walk(schema, state);
  if (!isPlainObject(root)) return root as unknown as JsonSchema;
  if (state.cycleNames.size === 0) return root;
  return { ...root, $defs: { ...(isPlainObject(root.$defs) ? root.$defs : {}), ...state.defs } };
}

interface WalkState {
  onStack: Set<object>;
  /** Objects found to be their own ancestors -> the $defs name they are stored under. */
  cycleNames: Map<object, string>;
  defs: Record<string, unknown>;
}

/** Keywords whose value is a map of name -> schema. */
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
/** Keywords whose value is a schema or an array of schemas. */
const SCHEMA_KEYWORDS = new Set([
  'items', 'prefixItems', 'additionalItems', 'contains', 'unevaluatedItems',
  'additionalProperties', 'unevaluatedProperties', 'propertyNames',
  'allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'contentSchema',
]);

/** Walks one schema; data-valued keywords (enum, const, default, example...) are copied untouched. */
function walk(node: unknown, state: WalkState): unknown {
  if (!isPlainObject(node)) return node;
  if (state.onStack.has(node)) return { $ref: `#/$defs/${cycleName(node, state)}` };
  state.onStack.add(node);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema' || key === '$id') continue;
    out[key] = walkKeyword(key, value, state);
  }
  state.onStack.delete(node);
  const result = translate30(out);
  const name = state.cycleNames.get(node);
  if (name !== undefined) state.defs[name] = result;
  return result;
}

function walkKeyword(key: string, value: unknown, state: WalkState): unknown {
  if (SCHEMA_KEYWORDS.has(key)) return Array.isArray(value) ? value.map((item) => walk(item, state)) : walk(value, state);
  if (SCHEMA_MAP_KEYWORDS.has(key) && isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, walk(schema, state)]));
  }
  return value;
}

function cycleName(node: object, state: WalkState): string {
  let name = state.cycleNames.get(node);
  if (name === undefined) {
    name = `cycle${state.cycleNames.size + 1}`;
    state.cycleNames.set(node, name);
  }
  return name;
}

/** Applies the 3.0 -> 2020-12 keyword translations to one (already walked) schema object. */
function translate30(schema: Record<string, unknown>): Record<string, unknown> {
  let out = schema;
  out = translateExclusive(out, 'exclusiveMinimum', 'minimum');
  out = translateExclusive(out, 'exclusiveMaximum', 'maximum');
  out = dropReadOnlyFromRequired(out);
  if (out.nullable === true) return makeNullable(out);
  if (typeof out.nullable === 'boolean') {
    const { nullable: _ignored, ...rest } = out;
    return rest;
  }
  return out;
}

function translateExclusive(schema: Record<string, unknown>, exclusive: string, bound: string): Record<string, unknown> {
  const flag = schema[exclusive];
  if (typeof flag !== 'boolean') return schema;
  const { [exclusive]: _flag, ...rest } = schema;
  if (flag && typeof schema[bound] === 'number') {
    const { [bound]: limit, ...withoutBound } = rest;
    return { ...withoutBound, [exclusive]: limit };
  }
  return rest;
}

function dropReadOnlyFromRequired(schema: Record<string, unknown>): Record<string, unknown> {
  const { required, properties } = schema;
  if (!Array.isArray(required) || !isPlainObject(properties)) return schema;
  const kept = required.filter((name) => !(typeof name === 'string' && isPlainObject(properties[name]) && properties[name].readOnly === true));
  return kept.length === required.length ? schema : { ...schema, required: kept };
}

function makeNullable(schema: Record<string, unknown>): Record<string, unknown> {
  const { nullable: _nullable, ...rest } = schema;
  const withEnum = Array.isArray(rest.enum) && !rest.enum.includes(null) ? { ...rest, enum: [...rest.enum, null] } : rest;
  const type = withEnum.type;
  if (typeof type === 'string') return type === 'null' ? withEnum : { ...withEnum, type: [type, 'null'] };
  if (Array.isArray(type)) return type.includes('null') ? withEnum : { ...withEnum, type: [...type, 'null'] };
  return { anyOf: [withEnum, { type: 'null' }] };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
