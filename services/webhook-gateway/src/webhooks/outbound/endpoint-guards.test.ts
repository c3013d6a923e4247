import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createBreakerMetrics, guardedAgent, parseOutboundAllow } from '@autoweave/resilience';
import { Registry } from 'prom-client';
import type { Agent } from 'undici';
import type { WebhookEndpoint } from '../endpoints.js';
import { EndpointGuards } from './endpoint-guards.js';
import { WebhookSender } from './webhook-sender.js';

describe('endpoint guards - the breaker counts what a closed circuit lets through', () => {
  let server: Server;
  let base: string;
  let agent: Agent;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => void res.writeHead(req.url === '/fail' ? 500 : 204).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    agent = guardedAgent(parseOutboundAllow('loopback'));
  });

  afterAll(async () => {
    await agent.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const endpoint: WebhookEndpoint = {
    id: 'guards-test',
    name: 'guards',
    status: 'active',
    revision: 1,
    url: `http://unused`,
    events: ['x'],
    headers: {},
    retryScheduleMs: [],
    ordered: false,
    timeoutMs: 2000,
    breaker: { volumeThreshold: 4, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 },
    keys: () => [],
  };

  it('opens on the failure share of every call, successes included, and then refuses without a request', async () => {
    const registry = new Registry();
    const metrics = createBreakerMetrics(registry);
    const guards = new EndpointGuards(new WebhookSender(agent), metrics);
    const post = (path: string) => guards.post(endpoint, { url: `${base}${path}`, headers: {}, body: Buffer.from('{}'), timeoutMs: 2000 });
    const count = async (event: string) => (await metrics.events.get()).values.find((v) => v.labels.event === event && v.labels.breaker === 'webhook:guards-test')?.value ?? 0;
    try {
      for (let i = 0; i < 6; i++) expect(await post('/ok')).toMatchObject({ kind: 'answered', status: 204 });
      // 3 of 9 failed: below 50 %, still closed.
      for (let i = 0; i < 3; i++) expect(await post('/fail')).toMatchObject({ kind: 'answered', status: 500 });
      expect(await post('/ok')).toMatchObject({ kind: 'answered', status: 204 });
      // 7 of 14 is 50 %, not above: still closed.
      for (let i = 0; i < 4; i++) expect(await post('/fail')).toMatchObject({ kind: 'answered', status: 500 });
      expect(await post('/ok')).toMatchObject({ kind: 'answered', status: 204 });
      // 7 of 15, then 8 of 16 (50 %): closed; 9 of 17 opens it.
      for (let i = 0; i < 2; i++) expect(await post('/fail')).toMatchObject({ kind: 'answered', status: 500 });
      const before = requests;
      expect(await post('/ok')).toMatchObject({ kind: 'breakerOpen' });
      expect(requests).toBe(before);
      expect(await count('success')).toBe(8);
      expect(await count('failure')).toBe(9);
      expect(await count('open')).toBe(1);
      expect(await count('reject')).toBe(1);
    } finally {
      guards.close();
    }
  });

  it('sends past the breaker for a replay even when it is open', async () => {
    const guards = new EndpointGuards(new WebhookSender(agent));
    const post = (path: string, bypassBreaker = false) =>
      guards.post(endpoint, { url: `${base}${path}`, headers: {}, body: Buffer.from('{}'), timeoutMs: 2000 }, { bypassBreaker });
    try {
      for (let i = 0; i < 5; i++) await post('/fail');
      expect(await post('/ok')).toMatchObject({ kind: 'breakerOpen' });
      expect(await post('/ok', true)).toMatchObject({ kind: 'answered', status: 204 });
    } finally {
      guards.close();
    }
  });
});
