import { applyDecorators } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiExtension, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponseSchema } from '../http/schemas.js';
import type { Scope } from './scopes.js';

export type Access = Scope | 'public';

/** Fastify route config key read by the auth hook (see auth.hook.ts). */
export const ACCESS_CONFIG_KEY = 'autoweaveAccess';

/** Security scheme names in the OpenAPI document. */
export const SECURITY_SCHEMES = { bearer: 'bearer', apiKey: 'apiKey' } as const;

/**
 * Declares who may call a route: `public`, or the scope an API key must carry.
 * A route without it needs the admin scope (fail closed). The requirement is
 * Fastify route config, so it is enforced in an onRequest hook, before the body
 * is read; it also documents the route's security in the OpenAPI document.
 */
export function RequireAccess(access: Access): MethodDecorator {
  const decorators: Array<ClassDecorator | MethodDecorator | PropertyDecorator> = [RouteConfig({ [ACCESS_CONFIG_KEY]: access })];
  if (access !== 'public') {
    decorators.push(
      ApiBearerAuth(SECURITY_SCHEMES.bearer),
      ApiSecurity(SECURITY_SCHEMES.apiKey),
      ApiExtension('x-required-scope', access),
      ApiUnauthorizedResponse({ description: 'No API key, or an unknown or revoked one', type: ErrorResponseSchema }),
      ApiForbiddenResponse({ description: `The API key lacks the "${access}" scope`, type: ErrorResponseSchema }),
    );
  }
  return applyDecorators(...decorators) as MethodDecorator;
}
