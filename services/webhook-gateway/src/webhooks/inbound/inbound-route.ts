import { AppError } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ACCESS_CONFIG_KEY } from '../../auth/access.decorator.js';
import { HttpStatusError } from '../../errors.js';
import { toErrorResponse } from '../../http/error-response.js';
import { pathOf } from '../../http/telemetry.hook.js';
import type { WebhookIngest } from './webhook-ingest.js';

/** The inbound webhook route (Fastify syntax). */
export const INBOUND_WEBHOOK_ROUTE = '/webhooks/:integrationId';

export interface InboundRouteOptions {
  bodyLimitBytes: number;
  logger: Logger;
}

type WebhookRequest = FastifyRequest<{ Params: { integrationId: string } }>;

const EMPTY = Buffer.alloc(0);
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * `POST /webhooks/:integrationId`, registered on Fastify itself: webhook
 * ingestion has a throughput target, and Nest's per-request pipeline (guards,
 * pipes, interceptors, filters) would cost a good part of it. Senders
 * authenticate by signature, so the route is public to the API-key hook. In
 * its own plugin scope the body of any content type arrives as the raw
 * Buffer (the signature covers those exact bytes), up to its own size limit.
 * An unknown or disabled integration is answered before the body is read.
 */
export function installInboundWebhookRoute(fastify: FastifyInstance, ingest: WebhookIngest, options: InboundRouteOptions): void {
  fastify.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimitBytes }, (_request, body, done) => done(null, body));
    scope.route({
      method: 'POST',
      url: INBOUND_WEBHOOK_ROUTE,
      bodyLimit: options.bodyLimitBytes,
      config: { [ACCESS_CONFIG_KEY]: 'public' },
      onRequest: (request: WebhookRequest, _reply, done) => {
        ingest.admit(request.params.integrationId);
        done();
      },
      handler: async (request: WebhookRequest, reply) => {
        const body = (request.body as Buffer | undefined) ?? EMPTY;
        const result = await ingest.ingest(request.params.integrationId, request.headers, body);
        reply.code(202).header('content-type', JSON_TYPE);
        return `{"id":${JSON.stringify(result.id)},"duplicate":${result.duplicate}}`;
      },
      errorHandler: (error, request: WebhookRequest, reply) => {
        const mapped = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? ingest.tooLarge(request.params.integrationId, options.bodyLimitBytes) : error;
        sendError(mapped, request, reply, options);
      },
    });
  });
}

function sendError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply, options: InboundRouteOptions): void {
  const response = toErrorResponse(fromFastify(error), { bodyLimitBytes: options.bodyLimitBytes });
  if (response.internal !== undefined) {
    const err = response.internal instanceof Error ? (response.internal.stack ?? response.internal.message) : String(response.internal);
    options.logger.error({ correlationId: request.correlationId, path: pathOf(request.url), err }, 'unhandled error while answering an inbound webhook');
  }
  reply.code(response.status).headers(response.headers).send(response.body);
}

/** Fastify's own 4xx request errors (unreadable body, bad content type) as AppErrors. */
function fromFastify(error: FastifyError | Error): unknown {
  if (error instanceof AppError) return error;
  const { statusCode } = error as FastifyError;
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return new HttpStatusError('VALIDATION', `unreadable webhook request: ${error.message}`, statusCode);
  }
  return error;
}
