import type { ExecuteResult } from '@autoweave/contracts';
import { AppError } from '@autoweave/contracts';
import type { CursorPosition, Item } from '../../types.js';
import type { IntegrationSourceConfig, PaginationStyle } from './integration.config.js';

/**
 * The page a read asks for next, as stored in the pipeline's cursor so a
 * resumed run continues there:
 *   page {page}   offset {offset}   cursor {cursor} (null: the first page)
 *   link {params} (the next link's query parameters; null: the first page)
 */
export type PagePosition =
  | { style: 'page'; page: number }
  | { style: 'offset'; offset: number }
  | { style: 'cursor'; cursor: string | null }
  | { style: 'link'; params: Record<string, unknown> | null };

/** One call of the list operation, and the position that asks for it again. */
export interface PageRequest {
  params: Record<string, unknown>;
  position: PagePosition | null;
}

/** The position to start from: the stored one if it is of this style, else the first page. */
export function startPosition(config: IntegrationSourceConfig, stored: CursorPosition | undefined): PagePosition | null {
  const { style, startPage } = config.pagination;
  if (stored && stored.style === style && fitsStyle(stored)) return stored as unknown as PagePosition;
  switch (style) {
    case 'page':
      return { style, page: startPage };
    case 'offset':
      return { style, offset: 0 };
    case 'cursor':
      return { style, cursor: null };
    case 'link':
      return { style, params: null };
    case 'none':
      return null;
  }
}

function fitsStyle(p: Record<string, unknown>): boolean {
  switch (p.style as PaginationStyle) {
    case 'page':
      return Number.isInteger(p.page);
    case 'offset':
      return Number.isInteger(p.offset) && (p.offset as number) >= 0;
    case 'cursor':
      return p.cursor === null || typeof p.cursor === 'string';
    case 'link':
      return p.params === null || (typeof p.params === 'object' && !Array.isArray(p.params));
    default:
      return false;
  }
}

/** The operation's parameters for the page at `position`: the configured ones plus the pagination ones. */
export function requestFor(config: IntegrationSourceConfig, position: PagePosition | null, pageSize: number): PageRequest {
  const p = config.pagination;
  const params: Record<string, unknown> = { ...config.params };
  const size = (name: string | undefined): void => {
    if (name) params[name] = pageSize;
  };
  switch (position?.style) {
    case 'page':
      params[p.pageParam] = position.page;
      size(p.sizeParam);
      break;
    case 'offset':
      params[p.offsetParam] = position.offset;
      size(p.limitParam);
      break;
    case 'cursor':
      if (position.cursor !== null) params[p.cursorParam] = position.cursor;
      size(p.sizeParam);
      break;
    case 'link':
      // The next link says everything about the page, its size too; the configured params (path ones) stay.
      if (position.params) Object.assign(params, position.params);
      else size(p.sizeParam);
      break;
    default:
      break;
  }
  return { params, position };
}

/**
 * Where the page after `current` is, from the response: the next page number
 * or offset, the next cursor, or the Link header's rel="next". Undefined: no
 * next page (no cursor, no link, or one that does not move).
 */
export function nextPosition(config: IntegrationSourceConfig, current: PageRequest, result: ExecuteResult, itemCount: number): PagePosition | undefined {
  const p = config.pagination;
  const position = current.position;
  switch (position?.style) {
    case 'page':
      return { style: 'page', page: position.page + 1 };
    case 'offset':
      return { style: 'offset', offset: position.offset + itemCount };
    case 'cursor': {
      const raw = p.nextCursorHeader ? headerOf(result, p.nextCursorHeader) : valueAt(result.body, p.nextCursorPath!);
      if (raw === undefined || raw === null || raw === '' || raw === false) return undefined;
      const cursor = typeof raw === 'string' ? raw : JSON.stringify(raw);
      return cursor === position.cursor ? undefined : { style: 'cursor', cursor };
    }
    case 'link': {
      const next = parseLinkHeader(headerOf(result, 'link')).next;
      if (!next) return undefined;
      const params = linkParams(next, config);
      return JSON.stringify(params) === JSON.stringify(position.params) ? undefined : { style: 'link', params };
    }
    default:
      return undefined;
  }
}

/**
 * How many items come before the page at `start`, when it can be known: none
 * on the first page, the offset, or whole pages of the size asked for (page
 * numbers with a size parameter). Undefined for a cursor or link mid-way, or
 * pages of a size the API chooses.
 */
export function itemsBefore(config: IntegrationSourceConfig, start: PagePosition | null, pageSize: number): number | undefined {
  const first = startPosition(config, undefined);
  if (JSON.stringify(start) === JSON.stringify(first)) return 0;
  if (start?.style === 'offset') return start.offset;
  if (start?.style === 'page' && config.pagination.sizeParam) return Math.max(0, start.page - config.pagination.startPage) * pageSize;
  return undefined;
}

/** The total item count the response reports at `totalPath` (a number, or a string of digits); else undefined. */
export function reportedTotal(config: IntegrationSourceConfig, body: unknown): number | undefined {
  if (!config.totalPath) return undefined;
  const value = valueAt(body, config.totalPath);
  const total = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof total === 'number' && Number.isSafeInteger(total) && total >= 0 ? total : undefined;
}

/** The array of items in a response body, each an object (a bare value becomes `{value}`). */
export function itemsOf(body: unknown, itemsPath: string | undefined): Item[] {
  const found = itemsPath ? valueAt(body, itemsPath) : body;
  if (found === undefined || found === null) return [];
  if (!Array.isArray(found)) {
    const where = itemsPath ? `at ${itemsPath} ` : '';
    throw new AppError('UPSTREAM', `the response has no array of items ${where}(found ${typeof found}); set itemsPath to where the list is`, {
      field: 'itemsPath',
    });
  }
  return found.map((value) => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Item) : { value }));
}

/** A dot path into JSON: `data.items`, `meta.next`, `pages.0.items`. */
export function valueAt(body: unknown, path: string): unknown {
  let current = body;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) current = /^\d+$/.test(key) ? current[Number(key)] : undefined;
    else current = Object.hasOwn(current, key) ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}

/** RFC 8288 Link header -> URL by relation: `<https://x/?page=2>; rel="next", <...>; rel="last"`. */
export function parseLinkHeader(header: string | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  if (!header) return links;
  for (const match of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]*)*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(match[2] ?? '');
    for (const name of (rel?.[1] ?? rel?.[2] ?? '').split(/\s+/).filter(Boolean)) links[name.toLowerCase()] ??= match[1]!;
  }
  return links;
}

/**
 * The next link's query parameters, as operation parameters. Query strings
 * are text, and the hub does not coerce: a value takes the type of the same
 * parameter in the config (a number stays a number), and the page, offset and
 * size parameters are numbers when they look like one.
 */
export function linkParams(url: string, config: IntegrationSourceConfig): Record<string, unknown> {
  const p = config.pagination;
  const numeric = new Set([p.pageParam, p.offsetParam, p.limitParam, p.sizeParam].filter(Boolean) as string[]);
  for (const [name, value] of Object.entries(config.params)) if (typeof value === 'number') numeric.add(name);
  const query = new URL(url, 'http://relative.invalid').searchParams;
  const params: Record<string, unknown> = {};
  for (const name of new Set(query.keys())) {
    const values = query.getAll(name).map((v) => (numeric.has(name) && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v));
    params[name] = values.length === 1 ? values[0] : values;
  }
  return params;
}

function headerOf(result: ExecuteResult, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(result.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
