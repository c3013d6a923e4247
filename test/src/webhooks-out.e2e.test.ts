import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { STREAMS, type IntegrationView } from '@autoweave/contracts';
import { waitFor } from '@autoweave/testing';
import { useBackend } from './support/backend.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** True when one of the `v1,<sig>` signatures of the header is HMAC-SHA256(id.timestamp.body) under the secret. */
function verifies(secret: string, hook: Received): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${hook.headers['webhook-id']}.${hook.headers['webhook-timestamp']}.${hook.body}`).digest();
  return String(hook.headers['webhook-signature'])
    .split(' ')
    .map((part) => Buffer.from(part.slice('v1,'.length), 'base64'))
    .some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected));
}

describe('outbound webhooks end to end: registered through the API, events published over HTTP, delivered signed', () => {
  const backend = useBackend();
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  let receiverUrl: string;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/orders`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('delivers a published event whose topic matches, signed with the secret the register reply showed, and lists the attempt', async () => {
    const registered = await backend.api.call<IntegrationView & { secret?: string }>('POST', '/api/integration/register', {
      name: 'Order Receiver',
      type: 'webhook',
      config: { url: receiverUrl, events: ['shop.order.*'], headers: { 'x-source': 'autoweave-e2e' } },
    });
    expect(registered.status).toBe(201);
    const { id, secret } = registered.body;
    expect(secret).toMatch(/^whsec_/);

    // Published at once: the endpoint's consumer starts at its registration, so the gateway need not have caught up.
    const other = await backend.api.call<{ seq: number }>('POST', '/api/events/publish', { topic: 'shop.invoice.created', data: { n: 0 } });
    expect(other.status).toBe(202);
    const published = await backend.api.call<{ stream: string; seq: number; duplicate: boolean }>('POST', '/api/events/publish', {
      topic: 'shop.order.created',
      data: { orderId: 7, total: '9.99' },
    });
    expect(published.status).toBe(202);
    expect(published.body).toMatchObject({ stream: STREAMS.events.name, duplicate: false });

    const hook = await waitFor(() => received[0], { what: 'the webhook', timeoutMs: 20_000 });
    expect(hook.headers['webhook-id']).toBe(`msg_${published.body.seq}`);
    expect(hook.headers['x-source']).toBe('autoweave-e2e');
    expect(verifies(secret!, hook)).toBe(true);
    expect(verifies(`whsec_${Buffer.from('someone else').toString('base64')}`, hook)).toBe(false);
    const payload = JSON.parse(hook.body) as { type: string; timestamp: string; data: unknown };
    expect(payload).toMatchObject({ type: 'shop.order.created', data: { orderId: 7, total: '9.99' } });
    expect(Number.isNaN(Date.parse(payload.timestamp))).toBe(false);

    const listed = await waitFor(async () => {
      const res = await backend.api.call<{ items: Array<{ msgId: string; outcome: string; status: number }> }>('GET', `/api/integration/${id}/deliveries`);
      return res.body.items.length > 0 ? res.body.items : undefined;
    }, { what: 'the attempt record' });
    expect(listed).toEqual([expect.objectContaining({ msgId: `msg_${published.body.seq}`, outcome: 'succeeded', status: 204 })]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toHaveLength(1);
  });
});
