import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { guardedAgent, parseOutboundAllow, STRICT_OUTBOUND } from '@autoweave/resilience';
import type { Agent } from 'undici';
import { EXCERPT_BYTES, WebhookSender } from './webhook-sender.js';

describe('webhook sender - one POST to a real local receiver', () => {
  let server: Server;
  let base: string;
  let agent: Agent;
  let sender: WebhookSender;
  const bodies: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks).toString());
        if (req.url === '/big') return void res.writeHead(200).end('é'.repeat(2000));
        if (req.url === '/busy') return void res.writeHead(503, { 'retry-after': '7' }).end('later');
        if (req.url === '/slow') return void setTimeout(() => res.writeHead(200).end(), 1000);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    agent = guardedAgent(parseOutboundAllow('loopback'));
    sender = new WebhookSender(agent);
  });

  afterAll(async () => {
    await agent.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (s: WebhookSender, url: string, timeoutMs = 2000) => s.post({ url, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"a":1}'), timeoutMs });

  it('sends the body and reports any status as an answer', async () => {
    const result = await post(sender, `${base}/ok?x=1`);
    expect(result).toMatchObject({ kind: 'answered', status: 204, excerpt: '' });
    expect(bodies.at(-1)).toBe('{"a":1}');
  });

  it('keeps only the first bytes of a long answer', async () => {
    const result = await post(sender, `${base}/big`);
    expect(result.kind === 'answered' && Buffer.byteLength(result.excerpt, 'latin1')).toBeLessThanOrEqual(EXCERPT_BYTES);
    expect(result.kind === 'answered' && result.excerpt.startsWith('éé')).toBe(true);
  });

  it('reads Retry-After', async () => {
    expect(await post(sender, `${base}/busy`)).toMatchObject({ kind: 'answered', status: 503, excerpt: 'later', retryAfterMs: 7000 });
  });

  it('gives up after the timeout', async () => {
    expect(await post(sender, `${base}/slow`, 200)).toMatchObject({ kind: 'timeout', error: 'no answer within 200 ms' });
  });

  it('reports a receiver that is not there as a network failure', async () => {
    const result = await post(sender, 'http://127.0.0.1:9/nobody');
    expect(result.kind).toBe('network');
    expect(result.kind !== 'answered' && result.error).toMatch(/ECONNREFUSED/);
  });

  it('is refused by the SSRF guard when loopback is not allowed, without a request', async () => {
    const strict = guardedAgent(STRICT_OUTBOUND);
    const before = bodies.length;
    try {
      const result = await post(new WebhookSender(strict), `${base}/ok`);
      expect(result).toMatchObject({ kind: 'refused' });
      expect(result.kind !== 'answered' && result.error).toMatch(/^SSRF: 127\.0\.0\.1 is a loopback address/);
      const byName = await post(new WebhookSender(strict), base.replace('127.0.0.1', 'localhost') + '/ok');
      expect(byName.kind).toBe('refused');
    } finally {
      await strict.close();
    }
    expect(bodies.length).toBe(before);
  });
});
