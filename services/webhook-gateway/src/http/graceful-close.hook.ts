import type { FastifyInstance } from 'fastify';

/**
 * Lets `app.close()` finish. Fastify closes idle keep-alive connections when
 * it starts closing, but a connection whose request was in flight then stays
 * open once answered, and the server waits for it until the keep-alive
 * timeout. Responses sent while closing say `Connection: close`, so each such
 * connection ends with its last answer.
 */
export function installGracefulClose(fastify: FastifyInstance): void {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}
