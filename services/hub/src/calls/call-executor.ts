import { AppError, type ExecuteRequestDto, type ExecuteResult, type OpenApiConfigDto } from '@autoweave/contracts';
import { findOperation, selfContainedSchema, type Operation, type ParsedApi } from '@autoweave/openapi';
import { baseUrlOf } from '../apis/base-url.js';
import type { ApiCatalog } from '../apis/api-catalog.js';
import { applyAuth, type AuthConfig } from '../execute/auth.js';
import type { OAuth2TokenCache } from '../execute/oauth2-token-cache.js';
import type { ParamValidator } from '../execute/params.js';
import { buildRequest } from '../execute/request-builder.js';
import type { UpstreamClient, UpstreamRequest, UpstreamResponse } from '../execute/upstream-client.js';
import type { IntegrationGuards } from '../guards/integration-guards.js';
import type { StoredIntegration } from '../registry/integration-record.js';
import type { CallTelemetry } from './call-telemetry.js';

export interface CallExecutorDeps {
  /** The integration as this replica knows it (snapshot, else the store). */
  lookup: (id: string) => Promise<StoredIntegration | undefined>;
  reveal: (stored: StoredIntegration) => Record<string, unknown>;
  catalog: ApiCatalog;
  validator: ParamValidator;
  client: UpstreamClient;
  tokens: OAuth2TokenCache;
  guards: IntegrationGuards;
  telemetry: CallTelemetry;
  defaultTimeoutMs: number;
  /** Plugin integrations: `processData` runs in the plugin's process (see plugins/host/plugin-calls.ts). */
  plugins?: { execute(stored: StoredIntegration, dto: ExecuteRequestDto): Promise<UpstreamResponse> };
}

/** Response headers passed back to the caller (pagination and caching need them; the rest is noise). */
const PASSED_HEADERS = ['content-type', 'etag', 'last-modified', 'link', 'location', 'retry-after', 'x-total-count', 'x-next-cursor'];

/** An upstream 4xx/5xx on its way to becoming an UPSTREAM error; thrown inside the breaker for 5xx so they count as failures. */
class UpstreamStatus extends Error {
  constructor(readonly response: UpstreamResponse) {
    super(`upstream answered ${response.status}`);
  }
}

/**
 * `integration.request.execute`: find the operation, validate the parameters,
 * build the request with auth, then rate limit -> breaker -> timeout -> upstream.
 * Every outcome is recorded (metrics, events, log) and every reply, success or
 * error, says how long the call took.
 */
export class CallExecutor {
  /** Revealed configs by integration, valid for one revision: decrypting (and cloning a big spec) per call is waste. */
  private readonly configs = new Map<string, { revision: number; config: OpenApiConfigDto }>();

  constructor(private readonly deps: CallExecutorDeps) {}

  async execute(dto: ExecuteRequestDto): Promise<ExecuteResult> {
    const started = performance.now();
    const elapsed = (): number => Math.round((performance.now() - started) * 100) / 100;
    try {
      const response = await this.call(dto);
      const durationMs = elapsed();
      this.deps.telemetry.record({ integrationId: dto.integrationId, action: dto.action, outcome: 'ok', status: response.status, durationMs });
      return { status: response.status, headers: pick(response.headers), body: response.body, durationMs };
    } catch (err) {
      const durationMs = elapsed();
      const error = this.toCallError(err, durationMs);
      const status = (error.details as { status?: number } | undefined)?.status;
      this.deps.telemetry.record({
        integrationId: dto.integrationId,
        action: dto.action,
        outcome: error.code,
        ...(status === undefined ? {} : { status }),
        durationMs,
        error: { code: error.code, message: error.message },
      });
      throw error;
    }
  }

  private async call(dto: ExecuteRequestDto): Promise<UpstreamResponse> {
    const stored = await this.deps.lookup(dto.integrationId);
    if (!stored) throw new AppError('NOT_FOUND', `integration ${dto.integrationId} not found`, { id: dto.integrationId });
    const { record, revision } = stored;
    if (record.type === 'plugin' && this.deps.plugins) return this.deps.plugins.execute(stored, dto);
    if (record.type !== 'openapi') throw new AppError('VALIDATION', `integration ${record.name} is of type ${record.type}; only openapi and plugin integrations can be executed`);
    if (record.status === 'disabled') throw new AppError('UNAVAILABLE', `integration ${record.name} is disabled`, { id: record.id });
    const config = this.configOf(stored);
    const api = await this.deps.catalog.get(record.id, revision, config);
    const op = findOperation(api, dto.action);
    if (!op) throw unknownAction(dto.action, api);
    const resolved = this.deps.validator.validate(op, dto.params, (schema) => selfContainedSchema(api, schema));
    const request = buildRequest(op, resolved, baseUrlOf(api, config));
    const timeoutMs = dto.timeoutMs ?? config.timeoutMs ?? this.deps.defaultTimeoutMs;
    const guards = this.deps.guards.for(record.id, revision, { rateLimit: config.rateLimit, breaker: config.breaker });
    await guards.admit();
    const response = await guards.run(() => this.send(request, op, api, config.auth, timeoutMs));
    if (response.status >= 400) throw new UpstreamStatus(response);
    return response;
  }

  /** Drops what is kept for an integration that was deleted. */
  forget(integrationId: string): void {
    this.configs.delete(integrationId);
    this.deps.guards.forget(integrationId);
    this.deps.catalog.forget(integrationId);
  }

  private configOf(stored: StoredIntegration): OpenApiConfigDto {
    const cached = this.configs.get(stored.record.id);
    if (cached?.revision === stored.revision) return cached.config;
    const config = this.deps.reveal(stored) as OpenApiConfigDto;
    this.configs.set(stored.record.id, { revision: stored.revision, config });
    return config;
  }

  /** Sends with auth; a 401 after an OAuth2 token makes one retry with a fresh token. */
  private async send(request: UpstreamRequest, op: Operation, api: ParsedApi, auth: AuthConfig | undefined, timeoutMs: number): Promise<UpstreamResponse> {
    const deadline = Date.now() + timeoutMs;
    let authorized = { ...request, headers: { ...request.headers } };
    const applied = await applyAuth(authorized, op, api.securitySchemes, auth, this.deps.tokens);
    let response = await this.deps.client.send(authorized, { timeoutMs: Math.max(1, deadline - Date.now()) });
    if (response.status === 401 && applied.oauth2) {
      this.deps.tokens.invalidate(applied.oauth2.key, applied.oauth2.token);
      authorized = { ...request, headers: { ...request.headers } };
      await applyAuth(authorized, op, api.securitySchemes, auth, this.deps.tokens);
      response = await this.deps.client.send(authorized, { timeoutMs: Math.max(1, deadline - Date.now()) });
    }
    if (response.status >= 500) throw new UpstreamStatus(response);
    return response;
  }

  private toCallError(err: unknown, durationMs: number): AppError {
    if (err instanceof UpstreamStatus) return upstreamError(err.response, durationMs);
    if (err instanceof AppError) return new AppError(err.code, err.message, { ...(isObject(err.details) ? err.details : {}), durationMs });
    return new AppError('INTERNAL', 'internal error', { durationMs }, { cause: err });
  }
}

/** What the caller gets for an upstream 4xx/5xx: UPSTREAM with the upstream's status and body. */
export function upstreamError(response: UpstreamResponse, durationMs: number): AppError {
  return new AppError('UPSTREAM', `upstream answered ${response.status}`, { status: response.status, body: response.body, durationMs });
}

/** Breaker accounting: only upstream 5xx, timeouts and unreachable upstreams are failures. */
export function countsAsFailure(err: unknown): boolean {
  if (err instanceof UpstreamStatus) return err.response.status >= 500;
  return err instanceof AppError && (err.code === 'TIMEOUT' || err.code === 'UNAVAILABLE');
}

function unknownAction(action: string, api: ParsedApi): AppError {
  const available = api.operations.map((o) => o.operationId);
  return new AppError('NOT_FOUND', `no operation "${action}" in this API; available: ${available.slice(0, 20).join(', ')}${available.length > 20 ? ', ...' : ''}`, {
    field: 'action',
  });
}

function pick(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PASSED_HEADERS) if (headers[name] !== undefined) out[name] = headers[name];
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
