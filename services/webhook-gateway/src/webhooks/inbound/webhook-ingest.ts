import { AppError } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import { HttpStatusError } from '../../errors.js';
import type { WebhookEndpoint } from '../endpoints.js';
import { verify, type WebhookHeaders } from '../signature.js';
import { eventTypeOf } from './event-type.js';
import { UNKNOWN_INTEGRATION, type InboundMetrics } from './inbound-metrics.js';
import { STORED_HEADERS, type InboundStore } from './inbound-store.js';
import type { VerificationHealth } from './verification-health.js';

/** What a 401 says about how to authenticate: a Standard Webhooks signature, not an API key. */
export const SIGNATURE_CHALLENGE = { 'www-authenticate': 'Signature realm="webhooks"' } as const;

/** Upper bound of a webhook-id: it is kept (as the dedupe key) for the whole replay window. */
export const MAX_WEBHOOK_ID_CHARS = 256;

export interface IngestResult {
  id: string;
  /** A replay of a webhook-id already stored for this integration: accepted, nothing new stored. */
  duplicate: boolean;
}

export interface WebhookIngestDeps {
  endpoints: { get(id: string): WebhookEndpoint | undefined };
  store: Pick<InboundStore, 'persist'>;
  health: Pick<VerificationHealth, 'failed' | 'verified'>;
  metrics: Pick<InboundMetrics, 'count'>;
  toleranceSeconds: number;
  logger: Logger;
  now?: () => number;
}

type RequestHeaders = Partial<Record<keyof WebhookHeaders | 'content-type', string | string[] | undefined>>;

/**
 * The inbound webhook path without HTTP: find the integration, verify the
 * signature over the exact bytes received, read the event type, store in
 * WEBHOOKS_IN and report what happened. Failures are AppErrors (with their
 * HTTP status when it is not the code's own).
 */
export class WebhookIngest {
  private readonly now: () => number;

  constructor(private readonly deps: WebhookIngestDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** 404 for an id that is no webhook integration, 410 for a disabled one; checked before the body is read. */
  admit(integrationId: string): WebhookEndpoint {
    const endpoint = this.deps.endpoints.get(integrationId);
    if (!endpoint) {
      this.deps.metrics.count(UNKNOWN_INTEGRATION, 'not_found');
      throw new AppError('NOT_FOUND', `no webhook integration ${integrationId}`, { integrationId });
    }
    if (endpoint.status === 'disabled') {
      this.deps.metrics.count(endpoint.id, 'disabled');
      throw new HttpStatusError('UNAVAILABLE', `webhook integration ${integrationId} is disabled`, 410, { integrationId });
    }
    return endpoint;
  }

  /** The answer to a body over the size limit (refused while it was read). */
  tooLarge(integrationId: string, limitBytes: number): HttpStatusError {
    this.deps.metrics.count(this.deps.endpoints.get(integrationId)?.id ?? UNKNOWN_INTEGRATION, 'too_large');
    return new HttpStatusError('VALIDATION', `webhook body exceeds the limit of ${limitBytes} bytes`, 413, { limitBytes });
  }

  async ingest(integrationId: string, headers: RequestHeaders, body: Buffer): Promise<IngestResult> {
    const endpoint = this.admit(integrationId);
    const now = this.now();
    const verdict = verify(endpoint.keys(now), headers, body, Math.floor(now / 1000), this.deps.toleranceSeconds);
    if (!verdict.ok) return this.refuse(endpoint, verdict.reason);
    const webhookId = single(headers[STORED_HEADERS.webhookId])!;
    if (webhookId.length > MAX_WEBHOOK_ID_CHARS) return this.refuse(endpoint, `webhook-id is longer than ${MAX_WEBHOOK_ID_CHARS} characters`);
    this.deps.health.verified(endpoint);

    let type: string;
    try {
      type = eventTypeOf(body);
    } catch (err) {
      this.deps.metrics.count(endpoint.id, 'invalid');
      throw err;
    }
    let duplicate: boolean;
    try {
      ({ duplicate } = await this.deps.store.persist({
        integrationId: endpoint.id,
        type,
        webhookId,
        timestamp: single(headers[STORED_HEADERS.webhookTimestamp])!,
        contentType: single(headers[STORED_HEADERS.contentType]),
        body,
      }));
    } catch (err) {
      this.deps.metrics.count(endpoint.id, 'error');
      throw err;
    }
    this.deps.metrics.count(endpoint.id, duplicate ? 'duplicate' : 'accepted');
    return { id: webhookId, duplicate };
  }

  private refuse(endpoint: WebhookEndpoint, reason: string): never {
    this.deps.metrics.count(endpoint.id, 'unauthorized');
    this.deps.health.failed(endpoint, reason);
    this.deps.logger.debug({ integration: endpoint.id, reason }, 'inbound webhook refused');
    throw new HttpStatusError('UNAUTHORIZED', `webhook verification failed: ${reason}`, 401, { integrationId: endpoint.id }, SIGNATURE_CHALLENGE);
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
