import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IntegrationList } from '@autoweave/contracts';
import { waitFor } from '@autoweave/testing';
import { useBackend } from './support/backend.js';

describe('discovery end to end: a service registers itself and becomes an integration with manifests', () => {
  const backend = useBackend();
  let service: Server;
  let url: string;

  beforeAll(async () => {
    // A service that serves its spec at a well-known path only: discovery has to probe for it.
    service = createServer((req, res) => {
      if (req.url !== '/v3/api-docs') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ openapi: '3.0.3', info: { title: 'Billing', version: '1' }, paths: { '/invoices': { get: { operationId: 'listInvoices', responses: { 200: { description: 'ok' } } } } } }));
    });
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => service?.close(r));
  });

  it('POST /api/services/register -> probed spec -> integration (once, even when registered twice) -> manifests', async () => {
    const body = { name: 'billing', version: '1.0.0', url, metadata: { integratable: true } };
    expect((await backend.api.call('POST', '/api/services/register', body)).status).toBe(202);
    expect((await backend.api.call('POST', '/api/services/register', body)).status).toBe(202);
    const integration = await waitFor(async () => (await backend.api.call<IntegrationList>('GET', '/api/integration/list?tag=discovered')).body.items.find((i) => i.name === 'billing'), {
      timeoutMs: 20_000,
      what: 'the discovered integration',
    });
    expect(integration).toMatchObject({ type: 'openapi', status: 'active' });
    await new Promise((r) => setTimeout(r, 300));
    expect((await backend.api.call<IntegrationList>('GET', '/api/integration/list?tag=discovered')).body.total).toBe(1);
    await waitFor(async () => (await backend.api.call('GET', `/api/integration/${integration.id}/manifests?format=json`)).status === 200, {
      timeoutMs: 20_000,
      what: 'manifests for the discovered integration',
    });
  });
});
