import type { OpenAPIObject } from '@nestjs/swagger';
import { SECURITY_SCHEMES } from '../auth/access.decorator.js';
import { LIVE_PATH } from './live-events.js';

type PathItem = NonNullable<OpenAPIObject['paths']>[string];

/**
 * `GET /ws` in the gateway's OpenAPI document. OpenAPI cannot describe the
 * messages of a WebSocket; the operation says how to connect and points to
 * docs/WEBSOCKET.md for the protocol.
 */
export function liveEventsPath(): { path: string; item: PathItem } {
  return {
    path: LIVE_PATH,
    item: {
      get: {
        tags: ['live'],
        summary: 'Live events over WebSocket (upgrade); protocol in docs/WEBSOCKET.md',
        description:
          'Authenticate with x-api-key or Authorization: Bearer on the upgrade request, or (browsers) send {"type":"auth","key"} as the first message ' +
          'within AUTOWEAVE_WS_AUTH_TIMEOUT_MS. Never put a key in the URL (400). Then {"type":"subscribe","topics":["integration.*","pipeline.execution.*"]}; ' +
          'events arrive as {"type":"event","topic","data","ts"}. Scopes decide the topic families a key sees (user events events.> need admin).',
        security: [{ [SECURITY_SCHEMES.bearer]: [] }, { [SECURITY_SCHEMES.apiKey]: [] }, {}],
        responses: {
          '101': { description: 'Switching protocols: the WebSocket is open' },
          '400': { description: 'Not a WebSocket upgrade, or a key in the URL' },
          '401': { description: 'The key in the headers is invalid or revoked' },
          '503': { description: 'Too many live connections, or the gateway is shutting down' },
        },
      },
    },
  };
}
