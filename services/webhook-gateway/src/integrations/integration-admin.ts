import { AGENT, AppError, DEFAULT_PLUGIN_INSTALL_TIMEOUT_MS, INTEGRATION_ADMIN, INTEGRATION_REQUEST } from '@autoweave/contracts';
import type { RequestOptions } from '@autoweave/messaging';
import { defined, numeric } from '../http/query-values.js';
import type { JsonObject } from '../http/json-body.js';
import { revisionFromIfMatch } from './if-match.js';

/** What the gateway needs of the Bus: request/reply resolving to the reply's data, or throwing its error. */
export interface Requester {
  call<T>(subject: string, payload: unknown, options?: RequestOptions): Promise<T>;
}

const LIST_FILTERS = ['type', 'status', 'tag'] as const;

/** A sync introspects the database and saves its pipelines before answering. */
const SYNC_TIMEOUT_MS = 30_000;

/**
 * The REST integration API as NATS requests to the hub. Each call sends one
 * request on an INTEGRATION_ADMIN subject and returns the reply's data or
 * throws its error as an AppError. Validation of what is sent is the hub's.
 */
export class IntegrationAdmin {
  constructor(
    private readonly bus: Requester,
    private readonly timeoutMs: number,
  ) {}

  register(body: JsonObject): Promise<unknown> {
    return this.call(INTEGRATION_ADMIN.register, body);
  }

  /** `{name?, config: {source, name, version|url+integrity|path, ...}}`: installs a plugin package; waits as long as an install may take. */
  install(body: JsonObject): Promise<unknown> {
    return this.call(INTEGRATION_ADMIN.install, body, Math.max(this.timeoutMs, DEFAULT_PLUGIN_INSTALL_TIMEOUT_MS + 5_000));
  }

  /** Passes the filters given (type, status, tag) and nothing else from the query string. */
  list(query: JsonObject): Promise<unknown> {
    const filters: JsonObject = {};
    for (const name of LIST_FILTERS) if (query[name] !== undefined) filters[name] = query[name];
    return this.call(INTEGRATION_ADMIN.list, filters);
  }

  get(id: string): Promise<unknown> {
    return this.call(INTEGRATION_ADMIN.get, { id });
  }

  /** The body's fields plus the id from the path; `If-Match` supplies (or must agree with) the revision. */
  update(id: string, body: JsonObject, ifMatch?: string | string[]): Promise<unknown> {
    const payload: JsonObject = { ...body, id };
    const revision = revisionFromIfMatch(ifMatch);
    if (revision !== undefined) {
      if (body.revision !== undefined && body.revision !== revision) {
        throw new AppError('VALIDATION', 'If-Match and the body name different revisions', {
          ifMatch: revision,
          revision: body.revision,
        });
      }
      payload.revision = revision;
    }
    return this.call(INTEGRATION_ADMIN.update, payload);
  }

  delete(id: string): Promise<unknown> {
    return this.call(INTEGRATION_ADMIN.delete, { id });
  }

  enable(id: string): Promise<unknown> {
    return this.call(INTEGRATION_ADMIN.enable, { id });
  }

  disable(id: string): Promise<unknown> {
    return this.call(INTEGRATION_ADMIN.disable, { id });
  }

  /** `{graceMs}` -> a new webhook signing secret, shown in this reply only. */
  rotateSecret(id: string, body: JsonObject): Promise<unknown> {
    return this.call(INTEGRATION_ADMIN.rotateSecret, { ...body, id });
  }

  /** `{action, params, timeoutMs}` -> integration.request.execute; waits as long as the call may take. */
  execute(id: string, body: JsonObject): Promise<unknown> {
    const payload: JsonObject = { ...body, integrationId: id };
    const callTimeout = typeof body.timeoutMs === 'number' ? body.timeoutMs + 1000 : 0;
    return this.call(INTEGRATION_REQUEST.execute, payload, Math.max(this.timeoutMs, callTimeout));
  }

  test(id: string): Promise<unknown> {
    return this.call(INTEGRATION_ADMIN.test, { id });
  }

  /** `?window=<seconds>` */
  metrics(id: string, query: JsonObject): Promise<unknown> {
    return this.call(INTEGRATION_ADMIN.metrics, { id, ...defined({ windowSeconds: numeric(query.window) }) });
  }

  /** `?since=<ISO time>&level=<min level>&limit=<n>` */
  logs(id: string, query: JsonObject): Promise<unknown> {
    return this.call(INTEGRATION_ADMIN.logs, { id, ...defined({ since: query.since, level: query.level, limit: numeric(query.limit) }) });
  }

  /**
   * Runs a database integration's sync pipelines now (answered by the
   * pipeline worker, which owns them). It looks at the database again first,
   * so allow it more than an admin round trip.
   */
  sync(id: string): Promise<unknown> {
    return this.call(INTEGRATION_ADMIN.sync, { id }, Math.max(this.timeoutMs, SYNC_TIMEOUT_MS));
  }

  /** The manifests the agent adapter generated for the integration; `format` yaml (default) or json. */
  manifests(id: string, format: unknown): Promise<unknown> {
    return this.call(AGENT.getManifests, { integrationId: id, format: format ?? 'yaml' });
  }

  private call(subject: string, payload: JsonObject, timeout = this.timeoutMs): Promise<unknown> {
    return this.bus.call<unknown>(subject, payload, { timeout });
  }
}
