import { AppError, openapiIntegration } from '@autoweave/contracts';
import { fetchTextWithUndici, loadOpenApi, type FetchText, type ParsedApi } from '@autoweave/openapi';
import { assertUrlAllowed, STRICT_OUTBOUND } from '@autoweave/resilience';
import type { AdapterDefinition, CursorOptions, HealthResult, SourceBatch, SourceCursor, StorageAdapter, StorageContext } from '@autoweave/storage';
import { specHash } from './fingerprint.js';
import { IntegrationRecords } from './integration-records.js';
import { endpointItems } from './operation-documents.js';

export const OPERATIONS_SOURCE = 'openapi-operations';

export interface OperationsSourceConfig {
  integrationId: string;
}

/**
 * Source of the endpoint-indexing pipeline: the operations of one OpenAPI
 * integration, read from its record in the `integrations` bucket (the spec
 * inline, or fetched from its URL through the SSRF guard) and parsed with
 * libs/openapi. Every run reads the whole spec as ONE batch, position null:
 * the index destination relies on seeing an integration's complete set of
 * operations at once to remove the ones that left the spec.
 */
export class OperationsSource implements StorageAdapter<OperationsSourceConfig> {
  private readonly records: IntegrationRecords;

  constructor(private readonly context: StorageContext) {
    this.records = new IntegrationRecords(context);
  }

  async createCursor(config: OperationsSourceConfig, options: CursorOptions): Promise<SourceCursor> {
    let done = false;
    const read = (): Promise<SourceBatch> => this.read(config.integrationId);
    return {
      async *[Symbol.asyncIterator](): AsyncIterator<SourceBatch> {
        if (done) return;
        options.signal?.throwIfAborted();
        const batch = await read();
        done = true;
        yield batch;
      },
      async close() {
        done = true;
      },
    };
  }

  async healthCheck(config: OperationsSourceConfig): Promise<HealthResult> {
    const started = Date.now();
    try {
      const record = await this.records.get(config.integrationId);
      return record ? { ok: true, latencyMs: Date.now() - started } : { ok: false, latencyMs: Date.now() - started, error: `integration ${config.integrationId} not found` };
    } catch (err) {
      return { ok: false, latencyMs: Date.now() - started, error: (err as Error).message };
    }
  }

  async close(): Promise<void> {}

  private async read(integrationId: string): Promise<SourceBatch> {
    const record = await this.records.get(integrationId);
    if (!record) throw new AppError('NOT_FOUND', `integration ${integrationId} not found`, { id: integrationId });
    if (record.type !== openapiIntegration.type) {
      throw new AppError('VALIDATION', `integration ${integrationId} is of type ${record.type}; only openapi integrations have operations`, { id: integrationId });
    }
    const { openAPISpec, openAPIUrl } = record.config as { openAPISpec?: unknown; openAPIUrl?: string };
    const api: ParsedApi = await loadOpenApi({ spec: openAPISpec, url: openAPISpec === undefined ? openAPIUrl : undefined }, { fetchText: this.guardedFetch() });
    const items = endpointItems({ id: record.id, name: record.name, description: record.description }, api, specHash(record.config), openAPISpec);
    return { items, position: null };
  }

  /** A spec URL is fetched only if it resolves to an address class outbound calls may reach (AUTOWEAVE_OUTBOUND_ALLOW). */
  private guardedFetch(): FetchText {
    const policy = this.context.outbound ?? STRICT_OUTBOUND;
    return async (url, limits) => {
      await assertUrlAllowed(url, policy);
      return fetchTextWithUndici(url, limits);
    };
  }
}

export const operationsSourceAdapter: Omit<AdapterDefinition<OperationsSourceConfig>, 'type'> = {
  description: 'The operations of an OpenAPI integration (source of the endpoint index): one item per operation plus one for the integration, read as one batch',
  roles: ['source'],
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['integrationId'],
    properties: {
      integrationId: { type: 'string', pattern: '^[0-9a-fA-F-]{36}$', description: 'The OpenAPI integration (its id).' },
    },
  },
  adapter: OperationsSource,
};
