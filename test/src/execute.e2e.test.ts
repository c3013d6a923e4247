import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Server } from 'node:http';
import { INTEGRATION_REQUEST, PING, type Envelope, type ExecuteResult, type IntegrationView } from '@autoweave/contracts';
import { freePort, waitFor } from '@autoweave/testing';
import { useBackend } from './support/backend.js';
import { itemsSpec, startItemsApi } from './support/local-servers.js';


describe('execute end to end: over HTTP, and with a hub replica killed mid-load', () => {
  const backend = useBackend();
  let items: { url: string; server: Server };
  let integration: IntegrationView;

  beforeAll(async () => {
    items = await startItemsApi();
    integration = (await backend.api.call<IntegrationView>('POST', '/api/integration/register', { name: 'Items', type: 'openapi', config: { openAPISpec: itemsSpec(items.url) } })).body;
  });

  afterAll(async () => {
    await new Promise((r) => items?.server.close(r));
  });

  it('POST /api/integration/:id/execute returns the upstream answer and how long it took', async () => {
    const res = await backend.api.call<ExecuteResult>('POST', `/api/integration/${integration.id}/execute`, { action: 'getItem', params: { id: 7 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 200, body: { id: 7 }, durationMs: expect.any(Number) });
    const bad = await backend.api.call<{ error: { code: string; message: string } }>('POST', `/api/integration/${integration.id}/execute`, { action: 'getItem', params: { id: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('id');
  });

  it('GET /api/integration/:id/metrics and /logs report the calls', async () => {
    await waitFor(async () => (await backend.api.call<{ items: unknown[] }>('GET', `/api/integration/${integration.id}/logs`)).body.items.length >= 2, { what: 'logs' });
    const metrics = await backend.api.call<{ requests: number; errors: number }>('GET', `/api/integration/${integration.id}/metrics?window=300`);
    expect(metrics.body).toMatchObject({ requests: 2, errors: 1 });
  });

  it('never answers wrongly when a hub replica dies under load: each reply is the right one or TIMEOUT', async () => {
    const replica = backend.stack.addReplica('hub', { AUTOWEAVE_HEALTH_PORT: String(await freePort()) });
    const instances = new Set<string>();
    await waitFor(async () => {
      const reply = JSON.parse(new TextDecoder().decode((await backend.nc.request(PING.hub, '', { timeout: 2000 })).data)) as Envelope<{ instance: string }>;
      if (reply.ok) instances.add(reply.data.instance);
      return instances.size === 2;
    }, { timeoutMs: 30_000, what: 'two hub replicas answering' });

    const outcomes: Array<'ok' | 'TIMEOUT' | 'UNAVAILABLE' | 'WRONG'> = [];
    let next = 0;
    const total = 600;
    const worker = async () => {
      while (next < total) {
        const id = next++;
        if (id === 150) void replica.kill();
        try {
          const msg = await backend.nc.request(INTEGRATION_REQUEST.execute, JSON.stringify({ integrationId: integration.id, action: 'getItem', params: { id } }), { timeout: 3000 });
          const reply = JSON.parse(new TextDecoder().decode(msg.data)) as Envelope<ExecuteResult>;
          if (reply.ok) outcomes.push((reply.data.body as { id: number }).id === id ? 'ok' : 'WRONG');
          else outcomes.push(reply.error.code === 'TIMEOUT' || reply.error.code === 'UNAVAILABLE' ? reply.error.code : 'WRONG');
        } catch (err) {
          outcomes.push((err as Error).message.includes('TIMEOUT') || (err as Error).name === 'TimeoutError' || String((err as Error).cause).includes('Timeout') ? 'TIMEOUT' : 'WRONG');
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect(outcomes).toHaveLength(total);
    expect(outcomes.filter((o) => o === 'WRONG')).toEqual([]);
    expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThan(total * 0.9);
  });
});
