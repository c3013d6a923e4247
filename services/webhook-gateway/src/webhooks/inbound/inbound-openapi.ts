import type { OpenAPIObject } from '@nestjs/swagger';

type PathItem = NonNullable<OpenAPIObject['paths']>[string];

const ERROR = {
  description: '',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
            required: ['code', 'message'],
          },
        },
      },
    },
  },
};

const error = (description: string) => ({ ...ERROR, description });

/**
 * The inbound webhook route is registered on Fastify directly (not a Nest
 * controller), so its entry in the OpenAPI document is written here.
 */
export function inboundWebhookPath(bodyLimitBytes: number, toleranceSeconds: number): { path: string; item: PathItem } {
  const signatureHeader = (name: string, description: string) => ({ name, in: 'header' as const, required: true, description, schema: { type: 'string' as const } });
  return {
    path: '/webhooks/{integrationId}',
    item: {
      post: {
        tags: ['webhooks'],
        summary: 'Receive a Standard Webhooks webhook for a webhook integration',
        description:
          'Authenticated by signature, not by API key: HMAC-SHA256 over `<webhook-id>.<webhook-timestamp>.<raw body>` with the ' +
          "integration's whsec_ secret (or a previous one until it expires). The body is stored byte for byte in WEBHOOKS_IN and " +
          'republished on events.webhook.<integrationId>.<type>. A webhook-id is accepted once; a replay answers duplicate: true. ' +
          `Timestamps more than ${toleranceSeconds} s from now are refused; bodies over ${bodyLimitBytes} bytes get 413.`,
        security: [],
        parameters: [
          { name: 'integrationId', in: 'path', required: true, description: 'Webhook integration id', schema: { type: 'string' } },
          signatureHeader('webhook-id', 'Unique message id (at most 256 characters)'),
          signatureHeader('webhook-timestamp', 'Seconds since the epoch'),
          signatureHeader('webhook-signature', 'Space-separated v1,<base64 signature> values'),
        ],
        requestBody: {
          required: true,
          description: 'A Standard Webhooks payload {type, timestamp, data}; `type` (e.g. user.created) names the event',
          content: { 'application/json': { schema: { type: 'object', required: ['type'], properties: { type: { type: 'string' }, timestamp: { type: 'string' }, data: {} } } } },
        },
        responses: {
          202: {
            description: 'Stored (acknowledged by JetStream)',
            content: { 'application/json': { schema: { type: 'object', properties: { id: { type: 'string' }, duplicate: { type: 'boolean' } }, required: ['id', 'duplicate'] } } },
          },
          400: error('Body is not JSON, or has no valid "type"'),
          401: error('Missing or malformed signature headers, no matching signature, or timestamp outside the tolerance'),
          404: error('No webhook integration with this id'),
          410: error('The integration is disabled'),
          413: error('Body over the size limit'),
          503: error('The webhook could not be stored; retry later'),
        },
      },
    },
  };
}
