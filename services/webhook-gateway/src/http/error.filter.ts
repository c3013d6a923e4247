import type { Logger } from '@autoweave/observability';
import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-response.js';
import { pathOf } from './telemetry.hook.js';

/**
 * The one place HTTP errors are answered: handler and pipe failures, errors of
 * the Fastify hooks (auth, body checks), body parsing, unknown routes.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly bodyLimitBytes: number,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const response = toErrorResponse(exception, { bodyLimitBytes: this.bodyLimitBytes });
    if (response.internal !== undefined) {
      const err = response.internal instanceof Error ? (response.internal.stack ?? response.internal.message) : String(response.internal);
      this.logger.error(
        { correlationId: request?.correlationId, method: request?.method, path: request ? pathOf(request.url) : undefined, err },
        'unhandled error while answering an HTTP request',
      );
    }
    if (reply.sent) return;
    reply.status(response.status).headers(response.headers).send(response.body);
  }
}
