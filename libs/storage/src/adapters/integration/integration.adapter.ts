import { AppError, INTEGRATION_ADMIN, INTEGRATION_REQUEST, type ExecuteRequestDto, type ExecuteResult } from '@autoweave/contracts';
import type { Bus } from '@autoweave/messaging';
import type { Logger } from '@autoweave/observability';
import type { AdapterDefinition, CursorOptions, CursorPosition, HealthResult, Item, SourceBatch, SourceCursor, StorageAdapter, StorageContext } from '../../types.js';
import { checkIntegrationConfig, integrationConfigSchema, withDefaults, type IntegrationSourceConfig } from './integration.config.js';
import { itemsBefore, itemsOf, nextPosition, reportedTotal, requestFor, startPosition, type PageRequest } from './pagination.js';

/** Added to the call's own timeout for the bus request: the hub answers TIMEOUT itself first. */
const BUS_MARGIN_MS = 5_000;
const DEFAULT_CALL_TIMEOUT_MS = 30_000;

interface Page {
  request: PageRequest;
  items: Item[];
  next?: PageRequest;
}

/**
 * Reads an OpenAPI integration's list operation page by page through the hub
 * (`integration.request.execute`: the hub applies the integration's auth,
 * rate limit and breaker). Each page is one batch. The page after the current
 * one is fetched before the current one is handed on, so the batch that is
 * last knows it (and carries the end position) without an extra call.
 */
class PageReader implements SourceCursor {
  private closed = false;
  /** The list's size as the API last reported it (`totalPath`). */
  private total: number | undefined;
  /** Items before the current position, when known (see itemsBefore). */
  private consumed: number | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly config: IntegrationSourceConfig,
    private readonly options: CursorOptions,
    private readonly logger: Logger,
  ) {}

  /**
   * The reported total less the items before the current position; undefined
   * (unknown) unless the API reports a total (`totalPath`) and the position
   * says how many items precede it. Known once a page has been fetched.
   */
  async lag(): Promise<number | undefined> {
    if (this.total === undefined || this.consumed === undefined) return undefined;
    return Math.max(0, this.total - this.consumed);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SourceBatch> {
    const { config, options } = this;
    const pageSize = config.pageSize ?? options.batchSize;
    const start = startPosition(config, options.position ?? undefined);
    this.consumed = itemsBefore(config, start, pageSize);
    if (options.position && start !== (options.position as unknown)) {
      this.logger.warn({ integrationId: config.integrationId, action: config.action }, 'stored position does not fit the pagination config; reading from the first page');
    }
    const restart = config.afterLastPage === 'restart';
    let page = await this.fetch(requestFor(config, start, pageSize), pageSize);
    let pages = 1;
    if (page.items.length === 0) {
      // A restartable read that was cut off and resumes past the end: only the position moves back to the start.
      if (restart && options.position) yield { items: [], position: null };
      return;
    }
    while (!this.closed) {
      let following: Page | undefined;
      const capped = pages >= config.pagination.maxPages;
      if (page.next && !capped) {
        options.signal?.throwIfAborted();
        following = await this.fetch(page.next, pageSize);
        pages += 1;
        if (following.items.length > 0 && JSON.stringify(following.items) === JSON.stringify(page.items)) {
          throw new AppError('UPSTREAM', `${config.action} answered the same page twice: the API does not take the ${config.pagination.style} pagination parameters as configured`);
        }
      }
      const last = !following || following.items.length === 0;
      if (this.consumed !== undefined) this.consumed += page.items.length;
      yield { items: page.items, position: this.positionAfter(page, last, capped, restart) };
      if (last) return;
      page = following!;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private positionAfter(page: Page, last: boolean, capped: boolean, restart: boolean): CursorPosition {
    if (!last) return page.next!.position as unknown as CursorPosition;
    if (capped && page.next) return page.next.position as unknown as CursorPosition; // the page cap ends the run, not the data
    if (restart) return null;
    // Continue with this last page again: items appended to a short last page are on it, and writes are idempotent.
    return page.request.position as unknown as CursorPosition;
  }

  private async fetch(request: PageRequest, pageSize: number): Promise<Page> {
    const { config } = this;
    const dto: ExecuteRequestDto = {
      integrationId: config.integrationId,
      action: config.action,
      params: request.params,
      ...(config.timeoutMs ? { timeoutMs: config.timeoutMs } : {}),
    };
    const reply = await this.bus.request<ExecuteResult>(INTEGRATION_REQUEST.execute, dto, { timeout: (config.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS) + BUS_MARGIN_MS });
    if (!reply.ok) {
      const error = AppError.fromBody(reply.error);
      throw new AppError(error.code, `${config.action} on integration ${config.integrationId}: ${error.message}`, error.details);
    }
    const items = itemsOf(reply.data.body, config.itemsPath);
    this.total = reportedTotal(config, reply.data.body) ?? this.total;
    const next = items.length > 0 ? nextPosition(config, request, reply.data, items.length) : undefined;
    return { request, items, ...(next ? { next: requestFor(config, next, pageSize) } : {}) };
  }
}

export class IntegrationSourceAdapter implements StorageAdapter<IntegrationSourceConfig> {
  private readonly cursors = new Set<SourceCursor>();

  constructor(private readonly context: StorageContext) {}

  async createCursor(config: IntegrationSourceConfig, options: CursorOptions): Promise<SourceCursor> {
    const resolved = withDefaults(config);
    checkIntegrationConfig(resolved, 'source', 'config');
    const cursor = new PageReader(this.bus(), resolved, options, this.context.logger);
    this.cursors.add(cursor);
    return cursor;
  }

  /** Healthy when the hub knows the integration and it is not disabled (no upstream call is spent on it). */
  async healthCheck(config: IntegrationSourceConfig): Promise<HealthResult> {
    const started = performance.now();
    const latencyMs = (): number => Math.round((performance.now() - started) * 100) / 100;
    const reply = await this.bus().request<{ status?: string }>(INTEGRATION_ADMIN.get, { id: config.integrationId });
    if (!reply.ok) return { ok: false, latencyMs: latencyMs(), error: `${reply.error.code}: ${reply.error.message}` };
    if (reply.data.status === 'disabled') return { ok: false, latencyMs: latencyMs(), error: 'the integration is disabled' };
    return { ok: true, latencyMs: latencyMs() };
  }

  async close(): Promise<void> {
    await Promise.all([...this.cursors].map((c) => c.close()));
    this.cursors.clear();
  }

  private bus(): Bus {
    if (!this.context.bus) throw new AppError('UNAVAILABLE', 'the integration source needs the NATS bus (StorageContext.bus)');
    return this.context.bus;
  }
}

export const integrationAdapter: AdapterDefinition<IntegrationSourceConfig> = {
  type: 'integration',
  description: "an OpenAPI integration's list operation through the hub, page by page (page, offset, cursor or Link header)",
  roles: ['source'],
  configSchema: integrationConfigSchema,
  validate: checkIntegrationConfig,
  adapter: IntegrationSourceAdapter,
};
