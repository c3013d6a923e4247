import { AppError } from '@autoweave/contracts';
import { Copier } from './copier.js';
import { DEFAULT_MAX_BYTES } from './options.js';
import { isRecord, joinPointer } from './pointer.js';
import {
  HTTP_METHODS,
  type ApiServer,
  type HttpMethod,
  type JsonSchema,
  type Operation,
  type OperationParameter,
  type OperationRequestBody,
  type OperationResponse,
  type ParameterLocation,
  type SecurityRequirement,
  type SecurityScheme,
  type ServerVariable,
} from './types.js';

const LOCATIONS: readonly ParameterLocation[] = ['path', 'query', 'header', 'cookie'];
/** Header parameters the OpenAPI specification says to ignore (they are set by the client itself). */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

/** Default byte budget for the schemas copied out of a document (as LoadOptions.maxDereferencedBytes). */
const DEFAULT_BUDGET = 8 * DEFAULT_MAX_BYTES;

/** Internal: how to name pointers into remote documents (see bundleExternalRefs), and the byte budget. */
export interface ExtractContext {
  externals?: ReadonlyMap<string, string>;
  budget?: number;
}

/**
 * A JSON-safe copy (a tree) of a dereferenced, possibly cyclic document, where only the `$ref`s that
 * close a cycle are kept, pointing to where each recursive object lives (see Copier).
 */
export function toJsonTree(document: Record<string, unknown>, budget = DEFAULT_BUDGET): Record<string, unknown> {
  return new Copier(document, new Map(), budget).copyDocument();
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isJsonMediaType(mediaType: string): boolean {
  const base = mediaType.split(';')[0]!.trim().toLowerCase();
  return base === 'application/json' || /^[a-z0-9.+-]+\/[a-z0-9.+-]*\+json$/.test(base) || /\/(x-)?json$/.test(base);
}

/** The JSON media type of a content map (exactly application/json first, then any +json), else the first. */
function chooseMedia(content: unknown): [string, Record<string, unknown>] | undefined {
  if (!isRecord(content)) return undefined;
  const types = Object.keys(content);
  if (types.length === 0) return undefined;
  const chosen =
    types.find((t) => t.split(';')[0]!.trim().toLowerCase() === 'application/json') ??
    types.find(isJsonMediaType) ??
    types[0]!;
  const media = content[chosen];
  return [chosen, isRecord(media) ? media : {}];
}

function parameterKey(p: { name: string; in: ParameterLocation }): string {
  return `${p.in}:${p.in === 'header' ? p.name.toLowerCase() : p.name}`;
}

function toParameter(raw: unknown, copier: Copier): OperationParameter | undefined {
  const p = copier.follow(raw);
  if (!isRecord(p)) return undefined;
  const name = str(p.name);
  const location = LOCATIONS.find((l) => l === p.in);
  if (name === undefined || location === undefined) return undefined;
  if (location === 'header' && IGNORED_HEADERS.has(name.toLowerCase())) return undefined;
  let schema: JsonSchema = {};
  if (p.schema !== undefined) schema = copier.schema(p.schema);
  else {
    const media = chooseMedia(p.content);
    if (media && media[1].schema !== undefined) schema = copier.schema(media[1].schema);
  }
  const param: OperationParameter = {
    name,
    in: location,
    required: location === 'path' ? true : p.required === true,
    schema,
  };
  if (typeof p.style === 'string') param.style = p.style;
  if (typeof p.explode === 'boolean') param.explode = p.explode;
  if (typeof p.description === 'string') param.description = p.description;
  return param;
}

function mergeParameters(pathLevel: unknown, opLevel: unknown, copier: Copier): OperationParameter[] {
  const merged = new Map<string, OperationParameter>();
  for (const list of [pathLevel, opLevel]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const param = toParameter(raw, copier);
      if (param) merged.set(parameterKey(param), param);
    }
  }
  return [...merged.values()];
}

function toRequestBody(raw: unknown, copier: Copier): OperationRequestBody | undefined {
  const body = copier.follow(raw);
  if (!isRecord(body)) return undefined;
  const media = chooseMedia(body.content);
  if (!media) return undefined;
  const out: OperationRequestBody = { required: body.required === true, contentType: media[0] };
  if (media[1].schema !== undefined) out.schema = copier.schema(media[1].schema);
  return out;
}

function toResponses(raw: unknown, copier: Copier): Record<string, OperationResponse> {
  const out: Record<string, OperationResponse> = {};
  if (!isRecord(raw)) return out;
  for (const [code, value] of Object.entries(raw)) {
    if (code.startsWith('x-')) continue;
    const res = copier.follow(value);
    if (!isRecord(res)) continue;
    const response: OperationResponse = {};
    if (typeof res.description === 'string') response.description = res.description;
    const media = chooseMedia(res.content);
    if (media) {
      response.contentType = media[0];
      if (media[1].schema !== undefined) response.schema = copier.schema(media[1].schema);
    }
    out[code] = response;
  }
  return out;
}

function toSecurity(raw: unknown): SecurityRequirement[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isRecord).map((req) => {
    const out: SecurityRequirement = {};
    for (const [name, scopes] of Object.entries(req)) {
      out[name] = Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : [];
    }
    return out;
  });
}

function asDocument(document: unknown): Record<string, unknown> {
  if (!isRecord(document)) {
    const message = 'the OpenAPI document must be an object';
    throw new AppError('VALIDATION', message, { location: '', problems: [{ message, location: '' }] });
  }
  return document;
}

/**
 * Every operation of an OpenAPI 3.x document (best dereferenced; local `$ref`s to parameters,
 * request bodies and responses are followed anyway), in document order. See Operation for what each
 * field holds. Throws VALIDATION when two operations end up with the same operationId (a spec's
 * own duplicates, or an explicit id equal to another operation's derived "METHOD /path").
 */
export function extractOperations(document: unknown): Operation[] {
  return extractOperationsWith(document, {}).operations;
}

export interface Extracted {
  operations: Operation[];
  /** The targets of the `$ref`s left in the operations' schemas (see ParsedApi.refSchemas). */
  refSchemas: Record<string, JsonSchema>;
}

export function extractOperationsWith(document: unknown, ctx: ExtractContext): Extracted {
  const doc = asDocument(document);
  const externals = ctx.externals ?? new Map<string, string>();
  const copier = new Copier(doc, externals, ctx.budget ?? DEFAULT_BUDGET);
  const operations: Operation[] = [];
  const seen = new Map<string, { label: string; pointer: string }>();
  const problems: Array<{ message: string; location: string }> = [];
  const paths = isRecord(doc.paths) ? doc.paths : {};

  for (const [path, rawItem] of Object.entries(paths)) {
    if (!path.startsWith('/')) continue;
    const item = copier.follow(rawItem);
    if (!isRecord(item)) continue;
    for (const key of Object.keys(item)) {
      const method = HTTP_METHODS.find((m) => m === key) as HttpMethod | undefined;
      if (method === undefined) continue;
      const op = item[method];
      if (!isRecord(op)) continue;
      const label = `${method.toUpperCase()} ${path}`;
      const explicit = typeof op.operationId === 'string' && op.operationId.trim() !== '' ? op.operationId : undefined;
      const operationId = explicit ?? label;
      const pointer = joinPointer('', 'paths', path, method) + (explicit === undefined ? '' : '/operationId');
      const previous = seen.get(operationId);
      if (previous) {
        problems.push({
          message: `operationId "${operationId}" is used by both ${previous.label} (${previous.pointer}) and ${label} (${pointer})`,
          location: pointer,
        });
        continue;
      }
      seen.set(operationId, { label, pointer });

      const body = toRequestBody(op.requestBody, copier);
      const operation: Operation = {
        operationId,
        method,
        path,
        ...(typeof op.summary === 'string' ? { summary: op.summary } : {}),
        ...(typeof op.description === 'string' ? { description: op.description } : {}),
        tags: Array.isArray(op.tags) ? op.tags.filter((t): t is string => typeof t === 'string') : [],
        parameters: mergeParameters(item.parameters, op.parameters, copier),
        ...(body ? { requestBody: body } : {}),
        responses: toResponses(op.responses, copier),
        security: toSecurity(op.security !== undefined ? op.security : doc.security),
        deprecated: op.deprecated === true,
      };
      operations.push(operation);
    }
  }

  if (problems.length > 0) {
    const first = problems[0]!;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more duplicate${problems.length > 2 ? 's' : ''})` : '';
    throw new AppError('VALIDATION', `duplicate operationId: ${first.message}${more}`, { location: first.location, problems });
  }
  return { operations, refSchemas: copier.referencedSchemas() };
}

/** The document's servers; per the specification, none (or an empty list) means one server "/". */
export function extractServers(document: unknown): ApiServer[] {
  const doc = asDocument(document);
  const servers: ApiServer[] = [];
  for (const raw of Array.isArray(doc.servers) ? doc.servers : []) {
    if (!isRecord(raw) || typeof raw.url !== 'string') continue;
    const variables: Record<string, ServerVariable> = {};
    if (isRecord(raw.variables)) {
      for (const [name, v] of Object.entries(raw.variables)) {
        if (!isRecord(v) || v.default === undefined) continue;
        const variable: ServerVariable = { default: String(v.default) };
        if (Array.isArray(v.enum)) variable.enum = v.enum.map((e) => String(e));
        variables[name] = variable;
      }
    }
    servers.push({ url: raw.url, variables });
  }
  return servers.length > 0 ? servers : [{ url: '/', variables: {} }];
}

/**
 * The document's security schemes (components.securitySchemes), as the SecurityScheme union.
 * HTTP scheme names are lower-cased ("Bearer" -> "bearer"); malformed or unknown schemes are left out.
 */
export function extractSecuritySchemes(document: unknown): Record<string, SecurityScheme> {
  const doc = asDocument(document);
  const copier = new Copier(doc, new Map(), DEFAULT_BUDGET);
  const components = copier.follow(doc.components);
  const raw = isRecord(components) ? copier.follow(components.securitySchemes) : undefined;
  const out: Record<string, SecurityScheme> = {};
  if (!isRecord(raw)) return out;
  for (const [name, value] of Object.entries(raw)) {
    const s = copier.follow(value);
    if (!isRecord(s)) continue;
    switch (s.type) {
      case 'apiKey': {
        const where = s.in;
        if (typeof s.name === 'string' && (where === 'header' || where === 'query' || where === 'cookie')) {
          out[name] = { type: 'apiKey', name: s.name, in: where };
        }
        break;
      }
      case 'http':
        if (typeof s.scheme === 'string') {
          out[name] =
            typeof s.bearerFormat === 'string'
              ? { type: 'http', scheme: s.scheme.toLowerCase(), bearerFormat: s.bearerFormat }
              : { type: 'http', scheme: s.scheme.toLowerCase() };
        }
        break;
      case 'oauth2':
        if (isRecord(s.flows)) {
          out[name] = { type: 'oauth2', flows: copier.copy(s.flows) as Extract<SecurityScheme, { type: 'oauth2' }>['flows'] };
        }
        break;
      case 'openIdConnect':
        if (typeof s.openIdConnectUrl === 'string') out[name] = { type: 'openIdConnect', openIdConnectUrl: s.openIdConnectUrl };
        break;
      case 'mutualTLS':
        out[name] = { type: 'mutualTLS' };
        break;
      default:
        break;
    }
  }
  return out;
}

