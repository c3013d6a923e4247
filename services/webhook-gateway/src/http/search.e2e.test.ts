import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INTEGRATION_ADMIN, SEARCH, type Envelope } from '@autoweave/contracts';
import { runService, type RunningService } from '@autoweave/service-kit';
import { startNatsServer, type NatsServerHandle } from '@autoweave/testing';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { GatewayConfig } from '../config.js';
import { gatewayService } from '../gateway.definition.js';
import { localBaseUrl } from './address.js';

const ADMIN_KEY = 'search-admin-key';
const ID = '5b0c8f3e-2d7a-4f41-9c3e-7a1d2b6e8f90';

/**
 * `GET /api/search` and `POST /api/integration/:id/sync` over HTTP, with a
 * plain NATS responder standing in for the pipeline worker: what the gateway
 * sends on the bus, and how it answers.
 */
describe('webhook-gateway - search and sync routes', () => {
  let nats: NatsServerHandle;
  let gateway: RunningService<GatewayConfig>;
  let nc: NatsConnection;
  let base: string;
  const received: Array<{ subject: string; payload: unknown }> = [];
  let answer: (subject: string) => Envelope<unknown> = (subject) => ({ ok: true, data: { subject } });
  const subs: Subscription[] = [];

  beforeAll(async () => {
    nats = await startNatsServer();
    gateway = await runService(gatewayService, {
      NATS_URL: nats.url,
      AUTOWEAVE_SECRET_KEY: randomBytes(32).toString('base64'),
      AUTOWEAVE_HTTP_PORT: '0',
      AUTOWEAVE_HTTP_HOST: '127.0.0.1',
      AUTOWEAVE_ADMIN_API_KEY: ADMIN_KEY,
      AUTOWEAVE_REQUEST_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'silent',
    });
    base = localBaseUrl(gateway.app);
    nc = await connect({ servers: nats.url });
    for (const subject of [SEARCH.endpoints, INTEGRATION_ADMIN.sync]) {
      subs.push(
        nc.subscribe(subject, {
          callback: (_err, msg) => {
            received.push({ subject: msg.subject, payload: msg.json() });
            msg.respond(JSON.stringify(answer(msg.subject)));
          },
        }),
      );
    }
    await nc.flush();
  });

  afterAll(async () => {
    await nc?.close();
    await gateway?.stop();
    await nats?.stop();
  });

  const call = async (method: string, path: string, key: string | null = ADMIN_KEY) => {
    const res = await fetch(base + path, { method, headers: key ? { authorization: `Bearer ${key}` } : {} });
    return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  it('GET /api/search sends {q, limit, integrationId} on search.endpoints and answers with the hits', async () => {
    const hits = [{ integrationId: ID, integrationName: 'petstore', operationId: 'findPetsByStatus', method: 'GET', path: '/pet/findByStatus', summary: 'Finds Pets by status', score: 0.7 }];
    answer = () => ({ ok: true, data: hits });
    received.length = 0;
    const res = await call('GET', `/api/search?q=${encodeURIComponent('find pets by status')}&limit=5&integrationId=${ID}`);
    expect(res).toEqual({ status: 200, body: hits });
    expect(received).toEqual([{ subject: SEARCH.endpoints, payload: { q: 'find pets by status', limit: 5, integrationId: ID } }]);
  });

  it('refuses a missing q or an unknown parameter itself, and passes on the worker\u2019s VALIDATION as 400', async () => {
    received.length = 0;
    expect(await call('GET', '/api/search')).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION', message: expect.stringContaining('q is required') } } });
    expect(await call('GET', '/api/search?q=pets&size=3')).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION', message: expect.stringContaining('size') } } });
    expect(received).toEqual([]);
    answer = () => ({ ok: false, error: { code: 'VALIDATION', message: 'limit must not be greater than 50' } });
    expect(await call('GET', '/api/search?q=pets&limit=500')).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION', message: expect.stringContaining('limit') } } });
    expect(received.at(-1)!.payload).toEqual({ q: 'pets', limit: 500 });
  });

  it('needs an API key', async () => {
    expect((await call('GET', '/api/search?q=pets', null)).status).toBe(401);
  });

  it('POST /api/integration/:id/sync sends {id} on integration.admin.sync and maps its errors', async () => {
    answer = () => ({ ok: true, data: { integrationId: ID, destination: 'postgres', tables: [], skipped: [] } });
    received.length = 0;
    expect(await call('POST', `/api/integration/${ID}/sync`)).toEqual({ status: 200, body: { integrationId: ID, destination: 'postgres', tables: [], skipped: [] } });
    expect(received).toEqual([{ subject: INTEGRATION_ADMIN.sync, payload: { id: ID } }]);
    answer = () => ({ ok: false, error: { code: 'CONFLICT', message: 'integration shop is not synced: config.syncEnabled is not true' } });
    expect(await call('POST', `/api/integration/${ID}/sync`)).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });
  });

  it('answers 503 UNAVAILABLE when no worker answers', async () => {
    for (const sub of subs) sub.unsubscribe();
    await nc.flush();
    expect(await call('GET', '/api/search?q=pets')).toMatchObject({ status: 503, body: { error: { code: 'UNAVAILABLE' } } });
  });
});
