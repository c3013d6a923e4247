import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** What a browser may send and read cross-origin: the API's own headers, nothing else. */
const ALLOWED_METHODS = 'GET, POST, PUT, DELETE';
const ALLOWED_HEADERS = 'authorization, x-api-key, content-type, x-correlation-id, if-match';
const EXPOSED_HEADERS = 'x-correlation-id, retry-after, etag';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/**
 * AUTOWEAVE_CORS_ORIGINS: comma-separated origins (`https://ops.example.com`),
 * or `*` alone for any origin. Each must be a bare origin (scheme, host, port;
 * no path), so a typo cannot silently allow nothing or everything.
 */
export function parseCorsOrigins(value: string | undefined): string[] {
  const origins = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (origins.includes('*')) {
    if (origins.length > 1) throw new Error('"*" allows every origin and cannot be combined with others');
    return ['*'];
  }
  return origins.map((origin) => {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new Error(`"${origin}" is not an origin such as https://example.com`);
    }
    if (!/^https?:$/.test(url.protocol) || url.origin !== origin.replace(/\/$/, '')) {
      throw new Error(`"${origin}" is not a bare http(s) origin (scheme://host[:port], no path)`);
    }
    return url.origin;
  });
}

/**
 * Strict CORS, off unless origins are configured: with none, no CORS header is
 * ever sent and browsers keep the same-origin policy. Credentials (cookies) are
 * never allowed: the API authenticates with a key the caller sends explicitly.
 * A preflight from an allowed origin is answered 204 here, before the auth
 * hook (a preflight carries no key); one from any other origin gets 403 and no
 * CORS header, so the browser refuses the real request.
 */
export function installCors(fastify: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins);
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const origin = request.headers.origin;
    if (typeof origin !== 'string') return done();
    const isAllowed = anyOrigin || allowed.has(origin);
    const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    reply.header('vary', 'origin');
    if (preflight) {
      if (!isAllowed) {
        void reply.code(403).send();
        return;
      }
      void reply
        .code(204)
        .headers({
          'access-control-allow-origin': anyOrigin ? '*' : origin,
          'access-control-allow-methods': ALLOWED_METHODS,
          'access-control-allow-headers': ALLOWED_HEADERS,
          'access-control-max-age': PREFLIGHT_MAX_AGE_SECONDS,
        })
        .send();
      return;
    }
    if (isAllowed) {
      reply.header('access-control-allow-origin', anyOrigin ? '*' : origin);
      reply.header('access-control-expose-headers', EXPOSED_HEADERS);
    }
    done();
  });
}
