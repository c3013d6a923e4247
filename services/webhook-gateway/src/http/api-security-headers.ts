import type { FastifyInstance } from 'fastify';
import { DASHBOARD_SECURITY_HEADERS } from '../dashboard/security-headers.js';

/**
 * Headers on every `/api/*` answer, success or error: not content-sniffed, no
 * referrer, and never cached (answers carry integration data, and a created
 * API key is in one). The first two are the dashboard's own values.
 */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': DASHBOARD_SECURITY_HEADERS['x-content-type-options']!,
  'referrer-policy': DASHBOARD_SECURITY_HEADERS['referrer-policy']!,
  'cache-control': 'no-store',
});

/** Set in onRequest so answers the auth hook or the error filter produce carry them too. */
export function installApiSecurityHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.url.startsWith('/api/')) reply.headers(API_SECURITY_HEADERS);
    done();
  });
}
