import { HEADERS } from '@autoweave/contracts';
import { acceptCorrelationId, runWithCorrelation } from '@autoweave/observability';
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's correlation id (the caller's `x-correlation-id` when sane, else a new one). */
    correlationId: string;
  }
}

/**
 * Runs each request inside `runWithCorrelation`, so log lines carry its id and
 * the Bus puts it on every NATS request it makes, and echoes the id as a
 * response header. Everything after this first onRequest hook (the auth hook,
 * body parsing, which Fastify 5 runs in the request's async context, and the
 * Nest handler) continues inside that context.
 */
export function installCorrelationHook(fastify: FastifyInstance): void {
  fastify.decorateRequest('correlationId', '');
  fastify.addHook('onRequest', (request, reply, done) => {
    const header = request.headers[HEADERS.correlationId];
    const id = acceptCorrelationId(Array.isArray(header) ? header[0] : header);
    request.correlationId = id;
    reply.header(HEADERS.correlationId, id);
    runWithCorrelation(id, () => done());
  });
}
