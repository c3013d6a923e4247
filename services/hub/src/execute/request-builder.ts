import type { Operation, OperationParameter, ParameterLocation } from '@autoweave/openapi';
import { AppError } from '@autoweave/contracts';
import { essence, isJsonMediaType } from './media-type.js';
import { serializeCookie, serializeHeader, serializePath, serializeQuery } from './param-styles.js';
import type { ResolvedParams } from './params.js';
import { isPlainObject } from './schema-normalize.js';
import type { UpstreamRequest } from './upstream-types.js';

/**
 * Builds the HTTP request for one operation from validated params. `baseUrl` may carry a
 * path prefix (`http://h/v1` + `/pets` -> `http://h/v1/pets`) and a query of its own.
 * Sets `accept: application/json` (a declared Accept header parameter would be ignored by
 * OpenAPI's rules, so it never overrides it). Auth is added afterwards by applyAuth.
 */
export function buildRequest(op: Operation, resolved: ResolvedParams, baseUrl: string): UpstreamRequest {
  const declared = declaredParams(op);
  const path = substitutePath(op, resolved.path, declared.path);
  const query = Object.entries(resolved.query).flatMap(([name, value]) => {
    const param = declared.query.get(name);
    return serializeQuery(name, value, param?.style, param?.explode);
  });
  const request: UpstreamRequest = { method: op.method.toUpperCase(), url: joinUrl(baseUrl, path, query), headers: { accept: 'application/json' } };
  for (const [name, value] of Object.entries(resolved.header)) {
    request.headers[name.toLowerCase()] = serializeHeader(name, value, declared.header.get(name)?.explode);
  }
  const cookies = Object.entries(resolved.cookie).flatMap(([name, value]) => serializeCookie(name, value, declared.cookie.get(name)?.explode));
  if (cookies.length > 0) request.headers.cookie = cookies.join('; ');
  if (resolved.body !== undefined) {
    const { contentType, text } = encodeBody(op.requestBody?.contentType, resolved.body);
    request.headers['content-type'] = contentType;
    request.body = text;
  }
  return request;
}

function declaredParams(op: Operation): Record<ParameterLocation, Map<string, OperationParameter>> {
  const byLocation: Record<ParameterLocation, Map<string, OperationParameter>> = { path: new Map(), query: new Map(), header: new Map(), cookie: new Map() };
  for (const p of op.parameters) byLocation[p.in].set(p.name, p);
  return byLocation;
}

/** `/pets/{petId}` -> `/pets/42`, values percent-encoded per their style (simple by default). */
export function substitutePath(op: Operation, values: Record<string, unknown>, declared: Map<string, OperationParameter>): string {
  return op.path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    if (!Object.hasOwn(values, name) || values[name] === undefined) {
      throw new AppError('VALIDATION', `invalid parameters: ${name} (is required)`, { fields: [{ field: name, problems: ['is required'] }] });
    }
    const param = declared.get(name);
    return serializePath(name, values[name], param?.style, param?.explode);
  });
}

/** Joins a base URL (with optional path prefix and query) and an operation path plus encoded query pairs. */
export function joinUrl(baseUrl: string, path: string, queryPairs: string[]): string {
  const base = parseBaseUrl(baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const opPath = path.startsWith('/') ? path : `/${path}`;
  const baseQuery = base.search.replace(/^\?/, '');
  const query = [baseQuery, ...queryPairs].filter((part) => part !== '').join('&');
  return `${base.origin}${prefix}${opPath}${query ? `?${query}` : ''}`;
}

function parseBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new AppError('VALIDATION', 'the integration has no valid base URL: set config.baseUrl or a server url in the spec');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('VALIDATION', `the base URL must be http or https, not ${url.protocol.replace(':', '')}`);
  }
  return url;
}

/**
 * The request body as text with its content-type. JSON-like media types (and no declared
 * type, or a wildcard) send JSON; application/x-www-form-urlencoded sends a form from an
 * object (nested objects as `a[b]=c`); any other non-multipart type sends a string body as it is.
 */
export function encodeBody(declaredType: string | undefined, body: unknown): { contentType: string; text: string } {
  const type = essence(declaredType);
  if (type === '' || type.includes('*') || isJsonMediaType(type)) {
    return { contentType: isJsonMediaType(type) ? declaredType!.trim() : 'application/json', text: JSON.stringify(body) };
  }
  if (type === 'application/x-www-form-urlencoded' && isPlainObject(body)) {
    const pairs = Object.entries(body).flatMap(([name, value]) => (value === undefined ? [] : serializeQuery(name, value, isPlainObject(value) ? 'deepObject' : 'form', true)));
    return { contentType: 'application/x-www-form-urlencoded', text: pairs.join('&') };
  }
  if (typeof body === 'string' && !type.startsWith('multipart/')) return { contentType: declaredType!.trim(), text: body };
  throw new AppError('VALIDATION', `request bodies of type ${type} are not supported${type.startsWith('multipart/') ? '' : ' except as a string'}`);
}
