import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on a free loopback port; the server's base URL. */
export async function listenLocal(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An upstream that answers GET /items/{id} with that id (after `latencyMs`), so a wrong answer would show. */
export async function startItemsApi(latencyMs = 0): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const id = /^\/items\/(\d+)$/.exec(req.url ?? '')?.[1];
    const answer = (): void => {
      res.writeHead(id ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(id ? { id: Number(id) } : { error: 'not found' }));
    };
    if (latencyMs > 0) setTimeout(answer, latencyMs);
    else answer();
  });
  return { url: await listenLocal(server), server };
}

/** The OpenAPI document of `startItemsApi`: one operation, `getItem`. */
export const itemsSpec = (url: string) => ({
  openapi: '3.1.0',
  info: { title: 'Items', version: '1' },
  servers: [{ url }],
  paths: {
    '/items/{id}': {
      get: { operationId: 'getItem', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }], responses: { 200: { description: 'ok' } } },
    },
  },
});

/** Standard Webhooks headers for `body`, signed with a whsec_ secret (HMAC-SHA256 over id.timestamp.body). */
export function signedWebhookHeaders(secret: string, body: string, id = `msg_${randomUUID()}`): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}`, 'content-type': 'application/json' };
}
