import type { ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { JsonSchema, Operation, OperationParameter, ParameterLocation } from '@autoweave/openapi';
import { AppError } from '@autoweave/contracts';
import { compileSchema, createAjv } from './ajv-factory.js';
import { ProblemList } from './field-problems.js';
import { isPlainObject } from './schema-normalize.js';

/**
 * The inputs of one operation call, as given in `integration.request.execute`.
 *
 * Flat form (the usual one): each parameter by its name, whatever its location, and the
 * request body under `body`:
 *     {petId: 1, limit: 10, 'X-Request-Id': 'a', body: {name: 'Rex'}}
 * Header parameters match case-insensitively (`'x-request-id'` works too); all other
 * names match exactly.
 *
 * Grouped form, for names that exist in more than one location (say `id` in the path and
 * in the query): put them under their location,
 *     {path: {id: 7}, query: {id: 'x'}, body: {...}}
 * Both forms mix in one call. A top-level `path` / `query` / `header` / `cookie` whose value
 * is a plain object is a group, unless the operation has a parameter of that very name whose
 * schema takes objects (then it is that parameter). A flat name that matches parameters in
 * two locations is refused as ambiguous, naming the groups to use.
 *
 * `body` is always the request body, except for an operation without a request body that
 * has a parameter named `body`. Values are not coerced: an integer needs a number, not "1".
 * Keys whose value is `undefined` count as absent.
 *
 * Header parameters named Accept, Content-Type or Authorization are ignored, as OpenAPI
 * says (they are set by the request builder and auth).
 */
export type ExecuteParams = Record<string, unknown>;

/** Validated inputs by location, keyed by the names the spec gives them. */
export interface ResolvedParams {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  header: Record<string, unknown>;
  cookie: Record<string, unknown>;
  /** Present when a body was given. */
  body?: unknown;
}

const LOCATIONS: readonly ParameterLocation[] = ['path', 'query', 'header', 'cookie'];
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

interface CompiledParam {
  param: OperationParameter;
  check: ValidateFunction;
}

interface CompiledOperation {
  params: CompiledParam[];
  /** location -> lookup key (header names lower-cased) -> parameter. */
  byLocation: Record<ParameterLocation, Map<string, CompiledParam>>;
  body?: ValidateFunction;
}

/** Validates ExecuteParams against an operation, compiling each operation's schemas once. */
export class ParamValidator {
  private readonly ajv: Ajv2020 = createAjv();
  private readonly compiled = new WeakMap<Operation, CompiledOperation>();

  /** @throws AppError VALIDATION naming every bad, missing or unknown input. */
  /**
   * `selfContained` turns a schema that still holds `$ref`s (where a recursive
   * schema was cut, see libs/openapi) into one ajv can compile on its own.
   */
  validate(op: Operation, params: ExecuteParams | undefined, selfContained: SchemaResolver = (s) => s): ResolvedParams {
    const input = params ?? {};
    if (!isPlainObject(input)) throw new AppError('VALIDATION', 'invalid parameters: params must be an object');
    const compiled = this.compile(op, selfContained);
    const problems = new ProblemList();
    const given = locate(compiled, op, input, problems);
    const resolved = checkValues(compiled, op, given, problems);
    if (!problems.empty) throw problems.toError();
    return resolved;
  }

  private compile(op: Operation, selfContained: SchemaResolver): CompiledOperation {
    let compiled = this.compiled.get(op);
    if (compiled === undefined) {
      compiled = compileOperation(this.ajv, op, selfContained);
      this.compiled.set(op, compiled);
    }
    return compiled;
  }
}

export type SchemaResolver = (schema: JsonSchema | undefined) => JsonSchema | undefined;

function compileOperation(ajv: Ajv2020, op: Operation, selfContained: SchemaResolver): CompiledOperation {
  const params = op.parameters
    .filter((p) => !(p.in === 'header' && IGNORED_HEADERS.has(p.name.toLowerCase())))
    .map((param) => ({ param, check: compileSchema(ajv, selfContained(param.schema)) }));
  const byLocation = Object.fromEntries(LOCATIONS.map((l) => [l, new Map<string, CompiledParam>()])) as CompiledOperation['byLocation'];
  for (const p of params) byLocation[p.param.in].set(lookupKey(p.param.in, p.param.name), p);
  const body = op.requestBody ? compileSchema(ajv, selfContained(op.requestBody.schema)) : undefined;
  return body ? { params, byLocation, body } : { params, byLocation };
}

function lookupKey(location: ParameterLocation, name: string): string {
  return location === 'header' ? name.toLowerCase() : name;
}

/** What the caller gave, mapped onto the operation's parameters. */
interface GivenInputs {
  values: Map<CompiledParam, unknown>;
  /** Parameters named by an ambiguous flat key: not reported missing on top of that. */
  ambiguous: Set<CompiledParam>;
  body?: { value: unknown };
}

function locate(compiled: CompiledOperation, op: Operation, input: ExecuteParams, problems: ProblemList): GivenInputs {
  const given: GivenInputs = { values: new Map(), ambiguous: new Set() };
  const assign = (target: CompiledParam, value: unknown, label: string): void => {
    if (given.values.has(target)) problems.add(label, `is given twice (${target.param.name} in ${target.param.in})`);
    else given.values.set(target, value);
  };
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (key === 'body' && (op.requestBody || !findFlat(compiled, 'body').length)) {
      if (op.requestBody) given.body = { value };
      else problems.add('body', `is not accepted: ${op.operationId} takes no request body`);
      continue;
    }
    const matches = findFlat(compiled, key);
    if (isGroup(key, value, matches)) {
      locateGroup(compiled, key as ParameterLocation, value as Record<string, unknown>, assign, problems);
    } else if (matches.length === 1) {
      assign(matches[0]!, value, key);
    } else if (matches.length > 1) {
      const where = matches.map((m) => m.param.in);
      for (const m of matches) given.ambiguous.add(m);
      problems.add(key, `is ambiguous: it is a ${where.join(' and a ')} parameter; give it as {${where.join(': {...}} or {')}: {...}}`);
    } else {
      problems.add(key, `is not a parameter of ${op.operationId}`);
    }
  }
  return given;
}

function findFlat(compiled: CompiledOperation, key: string): CompiledParam[] {
  return LOCATIONS.map((l) => compiled.byLocation[l].get(lookupKey(l, key))).filter((p): p is CompiledParam => p !== undefined);
}

function isGroup(key: string, value: unknown, matches: CompiledParam[]): boolean {
  if (!(LOCATIONS as readonly string[]).includes(key) || !isPlainObject(value)) return false;
  return !matches.some((m) => acceptsObject(m.param.schema));
}

function acceptsObject(schema: Record<string, unknown>): boolean {
  const type = schema.type;
  return type === undefined || type === 'object' || (Array.isArray(type) && type.includes('object'));
}

function locateGroup(
  compiled: CompiledOperation,
  location: ParameterLocation,
  group: Record<string, unknown>,
  assign: (target: CompiledParam, value: unknown, label: string) => void,
  problems: ProblemList,
): void {
  for (const [name, value] of Object.entries(group)) {
    if (value === undefined) continue;
    const target = compiled.byLocation[location].get(lookupKey(location, name));
    if (target) assign(target, value, `${location}.${name}`);
    else problems.add(`${location}.${name}`, `is not a ${location} parameter of this operation`);
  }
}

function checkValues(compiled: CompiledOperation, op: Operation, given: GivenInputs, problems: ProblemList): ResolvedParams {
  const resolved: ResolvedParams = { path: {}, query: {}, header: {}, cookie: {} };
  for (const compiledParam of compiled.params) {
    const { param, check } = compiledParam;
    if (!given.values.has(compiledParam)) {
      if ((param.required || param.in === 'path') && !given.ambiguous.has(compiledParam)) problems.add(param.name, 'is required');
      continue;
    }
    const value = given.values.get(compiledParam);
    if (!check(value)) problems.addAjvErrors(param.name, check.errors);
    else if (param.in === 'path' && value === '') problems.add(param.name, 'must not be empty');
    resolved[param.in][param.name] = value;
  }
  if (given.body !== undefined) {
    const check = compiled.body;
    if (check && !check(given.body.value)) problems.addAjvErrors('body', check.errors);
    resolved.body = given.body.value;
  } else if (op.requestBody?.required) {
    problems.add('body', 'is required');
  }
  return resolved;
}
