import type { OpenApiConfigDto } from '@autoweave/contracts';
import { loadOpenApi, type LoadOptions, type ParsedApi } from '@autoweave/openapi';

interface Cached {
  revision: number;
  api: Promise<ParsedApi>;
}

/**
 * The parsed OpenAPI document of each openapi integration, loaded once per
 * registry revision (a spec given by URL is fetched then, not on every call).
 * A failed load is not cached, so the next call tries again.
 */
export class ApiCatalog {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly options: LoadOptions = {}) {}

  get(integrationId: string, revision: number, config: OpenApiConfigDto): Promise<ParsedApi> {
    const cached = this.cache.get(integrationId);
    if (cached && cached.revision === revision) return cached.api;
    const api = this.load(config);
    this.cache.set(integrationId, { revision, api });
    api.catch(() => {
      if (this.cache.get(integrationId)?.api === api) this.cache.delete(integrationId);
    });
    return api;
  }

  /** Validates a config's spec (at register/update time); throws VALIDATION with the reason and location. */
  load(config: Pick<OpenApiConfigDto, 'openAPISpec' | 'openAPIUrl'>): Promise<ParsedApi> {
    return loadOpenApi({ spec: config.openAPISpec, url: config.openAPISpec ? undefined : config.openAPIUrl }, this.options);
  }

  forget(integrationId: string): void {
    this.cache.delete(integrationId);
  }
}
