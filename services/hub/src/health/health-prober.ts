import { AppError, type HealthProbeResult, type OpenApiConfigDto } from '@autoweave/contracts';
import { findHealthOperation, findOperation, type Operation, type ParsedApi } from '@autoweave/openapi';
import { baseUrlOf } from '../apis/base-url.js';
import type { ApiCatalog } from '../apis/api-catalog.js';
import { applyAuth } from '../execute/auth.js';
import type { OAuth2TokenCache } from '../execute/oauth2-token-cache.js';
import { buildRequest } from '../execute/request-builder.js';
import type { UpstreamClient, UpstreamRequest } from '../execute/upstream-client.js';
import type { StoredIntegration } from '../registry/integration-record.js';

export interface HealthProberDeps {
  reveal: (stored: StoredIntegration) => Record<string, unknown>;
  catalog: ApiCatalog;
  client: UpstreamClient;
  tokens: OAuth2TokenCache;
  timeoutMs: number;
}

/**
 * A real probe of an OpenAPI integration: its configured health operation,
 * else the spec's health/status operation, else a GET on the base URL. It
 * bypasses the breaker and the rate limit on purpose: it is how we learn the
 * upstream is back, and it must not eat the callers' budget.
 */
export class HealthProber {
  constructor(private readonly deps: HealthProberDeps) {}

  async probe(stored: StoredIntegration): Promise<HealthProbeResult> {
    const { record, revision } = stored;
    if (record.type !== 'openapi') {
      throw new AppError('VALIDATION', `integration ${record.name} is of type ${record.type}; health probes support openapi integrations`);
    }
    const config = this.deps.reveal(stored) as OpenApiConfigDto;
    const checkedAt = new Date().toISOString();
    const started = performance.now();
    const latency = (): number => Math.round((performance.now() - started) * 100) / 100;
    let target = config.baseUrl ?? '(unknown)';
    try {
      const api = await this.deps.catalog.get(record.id, revision, config);
      const { request, op } = await this.request(api, config);
      target = op ? op.operationId : `GET ${request.url}`;
      const response = await this.deps.client.send(request, { timeoutMs: config.timeoutMs ?? this.deps.timeoutMs, maxResponseBytes: 1024 * 1024 });
      // A health operation must answer 2xx/3xx; a bare base URL only has to answer at all (a 404 on / is common).
      const healthy = op ? response.status < 400 : response.status < 500;
      return { integrationId: record.id, healthy, status: response.status, latencyMs: latency(), target, checkedAt, ...(healthy ? {} : { error: `answered ${response.status}` }) };
    } catch (err) {
      const message = err instanceof AppError ? err.message : 'probe failed';
      return { integrationId: record.id, healthy: false, latencyMs: latency(), target, checkedAt, error: message };
    }
  }

  private async request(api: ParsedApi, config: OpenApiConfigDto): Promise<{ request: UpstreamRequest; op?: Operation }> {
    const baseUrl = baseUrlOf(api, config);
    const op = config.healthCheck?.operationId ? findOperation(api, config.healthCheck.operationId) : findHealthOperation(api);
    if (!op) return { request: { method: 'GET', url: baseUrl, headers: { accept: '*/*' } } };
    const request = buildRequest(op, { path: {}, query: {}, header: {}, cookie: {} }, baseUrl);
    await applyAuth(request, op, api.securitySchemes, config.auth, this.deps.tokens);
    return { request, op };
  }
}
