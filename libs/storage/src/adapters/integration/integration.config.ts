import { AppError } from '@autoweave/contracts';
import type { ConfigSchema } from '../../types.js';

export type PaginationStyle = 'page' | 'offset' | 'cursor' | 'link' | 'none';

export interface PaginationConfig {
  style: PaginationStyle;
  /** page: the page-number parameter. */
  pageParam: string;
  /** page: the number of the first page. */
  startPage: number;
  /** offset: the offset parameter. */
  offsetParam: string;
  /** offset: the page-size parameter. */
  limitParam: string;
  /** page, cursor, link: the page-size parameter, if the API has one. */
  sizeParam?: string;
  /** cursor: the parameter that takes the cursor. */
  cursorParam: string;
  /** cursor: where the next cursor is in the response body (dot path, e.g. `meta.next`). */
  nextCursorPath?: string;
  /** cursor: or the response header that carries it (e.g. `x-next-cursor`). */
  nextCursorHeader?: string;
  /** Pages read per run at most (a guard against an API that never ends); the next run continues. */
  maxPages: number;
}

export interface IntegrationSourceConfig {
  integrationId: string;
  /** The list operation's operationId. */
  action: string;
  /** The operation's parameters (path, query...) besides the pagination ones. */
  params: Record<string, unknown>;
  /** Where the array of items is in the response body (dot path, e.g. `data.items`); default: the body itself. */
  itemsPath?: string;
  /**
   * Where the API reports how many items the list has in all (dot path, e.g.
   * `meta.total`): with it the pipeline shows its lag (items not yet read);
   * without it the lag is unknown.
   */
  totalPath?: string;
  /** Page size asked for (default: the pipeline's batch size). */
  pageSize?: number;
  pagination: PaginationConfig;
  /**
   * After the last page: `continue` keeps the position at that page (the
   * next run reads it again and goes on from there: for APIs that append),
   * `restart` resets it (the next run reads everything again).
   */
  afterLastPage: 'continue' | 'restart';
  /** Timeout of each call (default: the integration's). */
  timeoutMs?: number;
}

const PARAM_NAME = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[^\\s]+$' };
/** A dot path into a JSON body: keys (or array indexes) separated by dots. */
export const JSON_PATH_PATTERN = '^[A-Za-z0-9_$@-]+(\\.[A-Za-z0-9_$@-]+)*$';

export const integrationConfigSchema: ConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['integrationId', 'action'],
  properties: {
    integrationId: {
      type: 'string',
      pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$',
      description: 'the OpenAPI integration (its id)',
    },
    action: { type: 'string', minLength: 1, maxLength: 300, description: 'operationId of the list operation' },
    params: { type: 'object', default: {}, description: 'parameters of the operation besides pagination' },
    itemsPath: { type: 'string', maxLength: 300, pattern: JSON_PATH_PATTERN, description: 'dot path of the items array in the body (default: the body)' },
    totalPath: { type: 'string', maxLength: 300, pattern: JSON_PATH_PATTERN, description: 'dot path of the total item count in the body, if the API reports one (gives the lag)' },
    pageSize: { type: 'integer', minimum: 1, maximum: 10_000 },
    pagination: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        style: { enum: ['page', 'offset', 'cursor', 'link', 'none'], default: 'none' },
        pageParam: { ...PARAM_NAME, default: 'page' },
        startPage: { type: 'integer', minimum: 0, default: 1 },
        offsetParam: { ...PARAM_NAME, default: 'offset' },
        limitParam: { ...PARAM_NAME, default: 'limit' },
        sizeParam: PARAM_NAME,
        cursorParam: { ...PARAM_NAME, default: 'cursor' },
        nextCursorPath: { type: 'string', maxLength: 300, pattern: JSON_PATH_PATTERN },
        nextCursorHeader: { type: 'string', pattern: '^[A-Za-z0-9-]{1,100}$' },
        maxPages: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 10_000 },
      },
    },
    afterLastPage: { enum: ['continue', 'restart'], default: 'continue' },
    timeoutMs: { type: 'integer', minimum: 1, maximum: 300_000 },
  },
};

export function checkIntegrationConfig(config: IntegrationSourceConfig, _role: 'source' | 'destination', where: string): void {
  const { pagination } = config;
  if (pagination?.style === 'cursor' && !pagination.nextCursorPath && !pagination.nextCursorHeader) {
    throw new AppError('VALIDATION', `${where}.pagination.nextCursorPath (or nextCursorHeader) is required with cursor pagination`, {
      field: `${where}.pagination.nextCursorPath`,
    });
  }
}

/** Fills the schema's defaults for a config that did not pass through validateAdapterConfig. */
export function withDefaults(config: IntegrationSourceConfig): IntegrationSourceConfig {
  const p: Partial<PaginationConfig> = config.pagination ?? {};
  return {
    ...config,
    params: config.params ?? {},
    afterLastPage: config.afterLastPage ?? 'continue',
    pagination: {
      ...p,
      style: p.style ?? 'none',
      pageParam: p.pageParam ?? 'page',
      startPage: p.startPage ?? 1,
      offsetParam: p.offsetParam ?? 'offset',
      limitParam: p.limitParam ?? 'limit',
      cursorParam: p.cursorParam ?? 'cursor',
      maxPages: p.maxPages ?? 10_000,
    },
  };
}
