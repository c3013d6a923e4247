import type { FastifyInstance, FastifyRequest } from 'fastify';
import { extractApiKey } from './api-key.js';
import type { ApiKeyRegistry, Principal } from './api-key-registry.js';
import { ACCESS_CONFIG_KEY, type Access } from './access.decorator.js';
import type { ApiRateLimiter } from './api-rate-limiter.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; null on public routes. */
    principal: Principal | null;
  }
}

/** The access a matched route declared with @RequireAccess; admin when it declared none. */
export function accessOf(request: FastifyRequest): Access {
  const config = request.routeOptions.config as unknown as Record<string, unknown> | undefined;
  return (config?.[ACCESS_CONFIG_KEY] as Access | undefined) ?? 'admin';
}

/**
 * Authenticates and authorizes in `onRequest`, i.e. before the body is read or
 * parsed: an anonymous caller cannot make the gateway parse anything. A request
 * no route matches goes on to the 404 handler. Each key's requests are then
 * counted against its rate limit (public routes such as inbound webhooks are
 * not keyed and not limited here), before the scope check so a key that
 * hammers routes it may not use is limited too.
 */
export function installAuthHook(fastify: FastifyInstance, registry: ApiKeyRegistry, limiter?: ApiRateLimiter): void {
  fastify.decorateRequest('principal', null);
  fastify.addHook('onRequest', async (request) => {
    if (request.is404) return;
    const access = accessOf(request);
    if (access === 'public') return;
    const principal = await registry.authenticate(extractApiKey(request.headers));
    request.principal = principal;
    limiter?.take(principal);
    registry.authorize(principal, access);
  });
}
