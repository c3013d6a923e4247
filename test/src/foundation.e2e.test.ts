import { describe, expect, it } from '@jest/globals';
import { PING, type Envelope, type IntegrationList, type IntegrationView, type PingReply } from '@autoweave/contracts';
import { waitFor } from '@autoweave/testing';
import { useBackend } from './support/backend.js';

/** Values that must never leave the system once registered. */
const SECRETS = { token: 'tok-e2e-SECRET-1', webhook: 'whsec_ZTJlLXNlY3JldC13ZWJob29rLTI=', dbPassword: 'pw-e2e-SECRET-3' };

const bodies = {
  openapi: {
    name: 'Pet Store',
    type: 'openapi',
    tags: ['pets', 'public'],
    config: {
      openAPISpec: { openapi: '3.0.3', info: { title: 'Pets', version: '1' }, paths: { '/pets': { get: { operationId: 'listPets', responses: { 200: { description: 'ok' } } } } } },
      auth: { type: 'bearer', token: SECRETS.token },
    },
  },
  webhook: { name: 'Order Hook', type: 'webhook', tags: ['orders'], config: { url: 'http://127.0.0.1:9/hook', events: ['order.>'], secret: SECRETS.webhook } },
  plugin: { name: 'Enricher', type: 'plugin', config: { source: 'local', name: 'enricher', path: 'plugins/enricher' } },
  database: { name: 'Main DB', type: 'database', tags: ['public'], config: { dbType: 'postgres', connectionString: `postgres://app:${SECRETS.dbPassword}@127.0.0.1:5432/app`, tables: ['public.users'] } },
};

describe('foundation end to end: five services as processes, driven over HTTP', () => {
  const backend = useBackend();
  const ids: Record<string, string> = {};

  it('every service answers its ping over NATS', async () => {
    for (const [service, subject] of Object.entries(PING)) {
      const reply = JSON.parse(new TextDecoder().decode((await backend.nc.request(subject, '', { timeout: 5000 })).data)) as Envelope<PingReply>;
      expect(reply.ok).toBe(true);
      if (reply.ok) expect(reply.data.uptimeSeconds).toBeGreaterThanOrEqual(0);
      expect(service).toBeTruthy();
    }
  });

  it.each(Object.keys(bodies))('registers a %s integration (201) with secrets masked', async (type) => {
    const res = await backend.api.call<IntegrationView>('POST', '/api/integration/register', bodies[type as keyof typeof bodies], { 'x-correlation-id': `e2e-register-${type}` });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ type, status: 'active', id: expect.any(String) });
    ids[type] = res.body.id;
  });

  it('carries the correlation id from the HTTP request into the hub log', async () => {
    await waitFor(() => backend.stack.service('hub').logLines().some((l) => l.correlationId === 'e2e-register-database'), { what: 'hub log line with the correlation id' });
  });

  it('lists with filters by type, status and tag', async () => {
    const all = await backend.api.call<IntegrationList>('GET', '/api/integration/list');
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(4);
    const byType = await backend.api.call<IntegrationList>('GET', '/api/integration/list?type=webhook');
    expect(byType.body.items.map((i) => i.name)).toEqual(['Order Hook']);
    const byTag = await backend.api.call<IntegrationList>('GET', '/api/integration/list?tag=public');
    expect(byTag.body.items.map((i) => i.name).sort()).toEqual(['Main DB', 'Pet Store']);
    expect((await backend.api.call<IntegrationList>('GET', '/api/integration/list?status=disabled')).body.total).toBe(0);
  });

  it('gets one integration with its secrets shown as ***', async () => {
    const res = await backend.api.call<IntegrationView>('GET', `/api/integration/${ids.database}`);
    expect(res.status).toBe(200);
    expect(res.body.config.connectionString).toBe('***');
  });

  it('updates with the current revision and answers 409 to a stale one', async () => {
    const current = (await backend.api.call<IntegrationView>('GET', `/api/integration/${ids.openapi}`)).body;
    const ok = await backend.api.call<IntegrationView>('PUT', `/api/integration/${ids.openapi}`, { revision: current.revision, description: 'the pets API' });
    expect(ok.status).toBe(200);
    expect(ok.body.description).toBe('the pets API');
    const stale = await backend.api.call<{ error: { code: string } }>('PUT', `/api/integration/${ids.openapi}`, { revision: current.revision, description: 'lost update' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('CONFLICT');
    expect((await backend.api.call<IntegrationView>('GET', `/api/integration/${ids.openapi}`)).body.description).toBe('the pets API');
  });

  it.each([
    ['a missing config field', { name: 'Broken', type: 'webhook', config: { events: ['a.b'] } }, 'config.url'],
    ['an unknown type', { name: 'Broken', type: 'carrier-pigeon', config: {} }, 'type'],
    ['a wrong field type', { name: 'Broken', type: 'database', config: { dbType: 'postgres', connectionString: 42 } }, 'config.connectionString'],
    ['malformed JSON', '{"name": "Broken",', 'JSON'],
  ])('answers 400 to %s, naming the problem, and leaves the registry unchanged', async (_case, body, named) => {
    const res = await backend.api.call<{ error: { code: string; message: string } }>('POST', '/api/integration/register', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION');
    expect(res.body.error.message).toContain(named);
    expect((await backend.api.call<IntegrationList>('GET', '/api/integration/list')).body.total).toBe(4);
  });

  it('answers 401 without an API key and with a wrong one', async () => {
    for (const client of [backend.api.withKey(undefined), backend.api.withKey('not-a-key')]) {
      const res = await client.call<{ error: { code: string } }>('GET', '/api/integration/list');
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    }
  });

  it('disables and enables through the API', async () => {
    expect((await backend.api.call<IntegrationView>('POST', `/api/integration/${ids.plugin}/disable`)).body.status).toBe('disabled');
    expect((await backend.api.call<IntegrationList>('GET', '/api/integration/list?status=disabled')).body.total).toBe(1);
    expect((await backend.api.call<IntegrationView>('POST', `/api/integration/${ids.plugin}/enable`)).body.status).toBe('active');
  });

  it('keeps every integration across a restart of the hub and of NATS', async () => {
    const before = (await backend.api.call<IntegrationList>('GET', '/api/integration/list')).body;
    await backend.stack.restart('hub');
    await backend.stack.nats.restart();
    await waitFor(async () => (await backend.api.call('GET', '/api/integration/list')).status === 200, { timeoutMs: 30_000, what: 'the registry to answer again' });
    const after = (await backend.api.call<IntegrationList>('GET', '/api/integration/list')).body;
    expect(after).toEqual(before);
  });

  it('deletes, then answers 404 for it', async () => {
    expect((await backend.api.call('DELETE', `/api/integration/${ids.webhook}`)).status).toBe(200);
    expect((await backend.api.call('GET', `/api/integration/${ids.webhook}`)).status).toBe(404);
  });

  it('never echoed a secret in any response or any log line', () => {
    const everything = backend.api.seenBodies.join('\n') + backend.stack.allOutput();
    for (const secret of Object.values(SECRETS)) expect(everything).not.toContain(secret);
    expect(everything).not.toContain(backend.stack.secretKey);
    expect(everything).not.toContain(backend.stack.adminKey);
  });
});
