import { Injectable, type INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { SECURITY_SCHEMES } from '../auth/access.decorator.js';
import type { GatewayConfig } from '../config.js';
import { inboundWebhookPath } from '../webhooks/inbound/inbound-openapi.js';
import { liveEventsPath } from '../live/live-openapi.js';

export const OPENAPI_PATH = 'api-docs/openapi.json';

/** Holds the gateway's OpenAPI document, built once at start from the route decorators. */
@Injectable()
export class OpenApiDocument {
  private document: OpenAPIObject | undefined;

  set(document: OpenAPIObject): void {
    this.document = document;
  }

  get(): OpenAPIObject {
    if (!this.document) throw new Error('the OpenAPI document has not been built');
    return this.document;
  }
}

export function buildOpenApiDocument(
  app: INestApplication,
  version: string,
  webhooks: Pick<GatewayConfig, 'webhookBodyLimitBytes' | 'webhookToleranceSeconds'>,
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('AutoWeave gateway')
    .setDescription(
      'The HTTP API of AutoWeave. Each /api route is answered by a service over NATS. ' +
        'Errors are {"error": {"code", "message", "details"}}. API keys carry the scopes read, write or admin ' +
        '(admin implies write implies read); a key lacking a scope gets 403 with code UNAUTHORIZED.',
    )
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' }, SECURITY_SCHEMES.bearer)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key', description: 'x-api-key: <API key>' }, SECURITY_SCHEMES.apiKey)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const inbound = inboundWebhookPath(webhooks.webhookBodyLimitBytes, webhooks.webhookToleranceSeconds);
  document.paths[inbound.path] = inbound.item;
  const live = liveEventsPath();
  document.paths[live.path] = live.item;
  return document;
}
