import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  INTEGRATION_ADMIN,
  INTEGRATION_EVENTS,
  INTEGRATION_REQUEST,
  subjectFor,
  type Envelope,
  type ExecuteResult,
  type HealthProbeResult,
  type IntegrationLogEntry,
  type IntegrationMetrics,
  type IntegrationView,
} from '@autoweave/contracts';
import { runService, type RunningService } from '@autoweave/service-kit';
import { startNatsServer, waitFor, type NatsServerHandle } from '@autoweave/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { hubService } from '../hub.definition.js';
import { PET_API_KEY, PET_TOKEN, petApiSpec, startPetApi, type PetApi } from '../testing/pet-api.js';

const env = (url: string) => ({ NATS_URL: url, AUTOWEAVE_SECRET_KEY: randomBytes(32).toString('base64'), AUTOWEAVE_HEALTH_PORT: '0', LOG_LEVEL: 'silent' });

describe('hub - integration.request.execute against a real upstream', () => {
  let nats: NatsServerHandle;
  let hub: RunningService;
  let nc: NatsConnection;
  let pets: PetApi;
  const events: Array<{ subject: string; data: Record<string, unknown> }> = [];

  const ask = async <T>(subject: string, payload: unknown, timeout = 5000): Promise<Envelope<T>> =>
    JSON.parse(new TextDecoder().decode((await nc.request(subject, JSON.stringify(payload), { timeout })).data)) as Envelope<T>;
  const data = async <T>(subject: string, payload: unknown): Promise<T> => {
    const reply = await ask<T>(subject, payload);
    if (!reply.ok) throw new Error(`${subject}: ${JSON.stringify(reply.error)}`);
    return reply.data;
  };
  const register = (name: string, config: Record<string, unknown>) =>
    data<IntegrationView>(INTEGRATION_ADMIN.register, { name, type: 'openapi', config: { openAPISpec: petApiSpec(pets.url), ...config } });
  const execute = (integrationId: string, action: string, params?: unknown, timeoutMs?: number) =>
    ask<ExecuteResult>(INTEGRATION_REQUEST.execute, { integrationId, action, params, ...(timeoutMs ? { timeoutMs } : {}) });

  let main: IntegrationView;

  beforeAll(async () => {
    nats = await startNatsServer();
    pets = await startPetApi();
    hub = await runService(hubService, env(nats.url));
    nc = await connect({ servers: nats.url });
    const sub = nc.subscribe('integration.>');
    void (async () => {
      // Requests to the hub travel on integration.admin.* and integration.request.*: those carry what the test sent.
      for await (const m of sub) if (!/^integration\.(admin|request)\./.test(m.subject)) events.push({ subject: m.subject, data: m.json() });
    })();
    main = await register('Pets', { auth: { type: 'apiKey', apiKey: PET_API_KEY } });
  });

  afterAll(async () => {
    await nc?.close();
    await hub?.stop();
    await pets?.close();
    await nats?.stop();
  });

  it('calls the operation with the query parameter and the API key, and returns status, body and duration', async () => {
    const reply = await execute(main.id, 'listPets', { limit: 2 });
    expect(reply).toMatchObject({ ok: true, data: { status: 200, body: [{ id: 1, name: 'Rex' }, { id: 2, name: 'Tom' }] } });
    expect(reply.ok && reply.data.durationMs).toBeGreaterThan(0);
    expect(pets.lastHeaders?.['x-api-key']).toBe(PET_API_KEY);
  });

  it('fills path parameters', async () => {
    expect(await execute(main.id, 'getPet', { petId: 3 })).toMatchObject({ ok: true, data: { body: { id: 3, name: 'Kit' } } });
  });

  it.each([
    ['a wrong type', 'listPets', { limit: 'ten' }, 'limit'],
    ['a value out of range', 'listPets', { limit: 1000 }, 'limit'],
    ['a missing path parameter', 'getPet', {}, 'petId'],
    ['an unknown parameter', 'listPets', { colour: 'red' }, 'colour'],
    ['a body missing a required field', 'createPet', { body: {} }, 'name'],
    ['a bad value deep in a recursive schema', 'createTree', { body: { name: 'root', children: [{ name: 'a', children: [{ name: 5 }] }] } }, 'body.children[0].children[0].name'],
  ])('refuses %s with VALIDATION naming it, before any request leaves', async (_case, action, params, named) => {
    const before = [...pets.hits.values()].reduce((a, b) => a + b, 0);
    const reply = await execute(main.id, action, params);
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('VALIDATION');
    expect(reply.error.message).toContain(named);
    expect((reply.error.details as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(0);
    expect([...pets.hits.values()].reduce((a, b) => a + b, 0)).toBe(before);
  });

  it('answers NOT_FOUND for an unknown action, listing the ones there are', async () => {
    const reply = await execute(main.id, 'adoptPet', {});
    expect(!reply.ok && reply.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('listPets') });
  });

  it('turns an upstream 404 into UPSTREAM with its status and body', async () => {
    const reply = await execute(main.id, 'getPet', { petId: 42 });
    expect(!reply.ok && reply.error).toMatchObject({ code: 'UPSTREAM', details: { status: 404, body: { error: 'no such pet' } } });
  });

  it('needs the credential the operation asks for: bearer for createPet', async () => {
    const noToken = await execute(main.id, 'createPet', { body: { name: 'Bo' } });
    expect(!noToken.ok && noToken.error.code).toBe('VALIDATION');
    const withToken = await register('Pets Writer', { auth: { type: 'bearer', token: PET_TOKEN } });
    expect(await execute(withToken.id, 'createPet', { body: { name: 'Bo' } })).toMatchObject({ ok: true, data: { status: 201, body: { id: 99, name: 'Bo' } } });
  });

  it('times out a slow upstream with TIMEOUT', async () => {
    const reply = await execute(main.id, 'slow', {}, 100);
    expect(!reply.ok && reply.error.code).toBe('TIMEOUT');
  });

  it('opens the breaker after failures (UNAVAILABLE without calling), then closes after a half-open probe succeeds', async () => {
    const guarded = await register('Pets Breaker', { breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 400 } });
    pets.failing = true;
    for (let i = 0; i < 2; i++) expect(await execute(guarded.id, 'flaky')).toMatchObject({ ok: false, error: { code: 'UPSTREAM', details: { status: 500 } } });
    const hitsWhenOpen = pets.hits.get('GET /flaky');
    const open = await execute(guarded.id, 'flaky');
    expect(!open.ok && open.error.code).toBe('UNAVAILABLE');
    expect(pets.hits.get('GET /flaky')).toBe(hitsWhenOpen);
    expect(await (await fetch(`http://127.0.0.1:${hub.healthPort}/metrics`)).text()).toMatch(new RegExp(`integration_breaker_state\\{integration="${guarded.id}"[^}]*\\} 2`));
    pets.failing = false;
    await new Promise((r) => setTimeout(r, 500));
    expect(await execute(guarded.id, 'flaky')).toMatchObject({ ok: true, data: { status: 200 } });
    expect(await execute(guarded.id, 'flaky')).toMatchObject({ ok: true });
  });

  it('refuses calls over the rate limit with RATE_LIMITED, or queues them when a queue is configured', async () => {
    const strict = await register('Pets Strict', { rateLimit: { rps: 1, burst: 2 } });
    const replies = await Promise.all(Array.from({ length: 5 }, () => execute(strict.id, 'flaky')));
    expect(replies.filter((r) => r.ok)).toHaveLength(2);
    expect(replies.filter((r) => !r.ok && r.error.code === 'RATE_LIMITED')).toHaveLength(3);
    const queued = await register('Pets Queued', { rateLimit: { rps: 20, burst: 1, queue: 10 } });
    const all = await Promise.all(Array.from({ length: 4 }, () => execute(queued.id, 'flaky')));
    expect(all.every((r) => r.ok)).toBe(true);
  });

  it('refuses to call a disabled integration with UNAVAILABLE', async () => {
    const off = await register('Pets Off', {});
    await data(INTEGRATION_ADMIN.disable, { id: off.id });
    await waitFor(async () => {
      const reply = await execute(off.id, 'flaky');
      return !reply.ok && reply.error.code === 'UNAVAILABLE';
    }, { what: 'the disabled state to reach the snapshot' });
  });

  it('publishes integration.<id>.request and .error events and counts calls in Prometheus', async () => {
    await waitFor(() => events.some((e) => e.subject === subjectFor.integrationRequest(main.id) && e.data.outcome === 'ok'), { what: 'request event' });
    await waitFor(() => events.some((e) => e.subject === subjectFor.integrationError(main.id) && e.data.outcome === 'UPSTREAM'), { what: 'error event' });
    const metrics = await (await fetch(`http://127.0.0.1:${hub.healthPort}/metrics`)).text();
    expect(metrics).toContain(`integration_requests_total{integration="${main.id}",action="listPets",outcome="ok"`);
    expect(metrics).toContain('integration_request_duration_seconds_bucket');
  });

  it('reads the call log and window metrics back from INTEGRATION_LOGS', async () => {
    const logs = await waitFor(async () => {
      const reply = await data<{ items: IntegrationLogEntry[] }>(INTEGRATION_ADMIN.logs, { id: main.id });
      return reply.items.length >= 5 ? reply.items : undefined;
    }, { what: 'log entries' });
    expect(logs[0]).toMatchObject({ integrationId: main.id, kind: 'request', action: 'listPets', outcome: 'ok', status: 200 });
    const errorsOnly = await data<{ items: IntegrationLogEntry[] }>(INTEGRATION_ADMIN.logs, { id: main.id, level: 'error', limit: 2 });
    expect(errorsOnly.items.length).toBeLessThanOrEqual(2);
    expect(errorsOnly.items.every((e) => e.level === 'error')).toBe(true);
    const metrics = await data<IntegrationMetrics>(INTEGRATION_ADMIN.metrics, { id: main.id, windowSeconds: 600 });
    expect(metrics.requests).toBe(logs.filter((l) => l.kind === 'request').length);
    expect(metrics.byOutcome.ok).toBeGreaterThanOrEqual(2);
    expect(metrics.errorRate).toBeGreaterThan(0);
    expect(metrics.latencyMs?.p50).toBeGreaterThan(0);
    const bad = await ask(INTEGRATION_ADMIN.logs, { id: main.id, since: 'yesterday' });
    expect(!bad.ok && bad.error.code).toBe('VALIDATION');
  });

  it('probes health on test, and publishes integration.health.changed on a transition', async () => {
    const probed = await register('Pets Health', {});
    expect(await data<HealthProbeResult>(INTEGRATION_ADMIN.test, { id: probed.id })).toMatchObject({ healthy: true, status: 200, target: 'health' });
    pets.failing = true;
    expect(await data<HealthProbeResult>(INTEGRATION_ADMIN.test, { id: probed.id })).toMatchObject({ healthy: false, status: 503 });
    pets.failing = false;
    await waitFor(() => events.some((e) => e.subject === INTEGRATION_EVENTS.healthChanged && e.data.id === probed.id && e.data.to === 'unhealthy'), { what: 'health changed event' });
    expect((await data<IntegrationView>(INTEGRATION_ADMIN.get, { id: probed.id })).health).toBe('unhealthy');
  });

  it('runs periodic probes from config.healthCheck.interval', async () => {
    const periodic = await register('Pets Periodic', { healthCheck: { interval: 1000 } });
    await waitFor(async () => (await data<IntegrationView>(INTEGRATION_ADMIN.get, { id: periodic.id })).health === 'healthy', { what: 'a periodic probe' });
  });

  it.each([
    ['a document that is not OpenAPI', { openAPISpec: { hello: 'world' } }],
    ['an operation without responses', { openAPISpec: { openapi: '3.0.3', info: { title: 'x', version: '1' }, paths: { '/a': { get: {} } } } }],
  ])('refuses to register %s, saying why', async (_case, config) => {
    const reply = await ask(INTEGRATION_ADMIN.register, { name: `Broken ${_case}`, type: 'openapi', config });
    expect(!reply.ok && reply.error.code).toBe('VALIDATION');
  });

  it('never puts a secret into a reply, an event or a log entry', async () => {
    const logs = await data<{ items: IntegrationLogEntry[] }>(INTEGRATION_ADMIN.logs, { id: main.id, limit: 1000 });
    const everything = JSON.stringify(events) + JSON.stringify(logs) + JSON.stringify(await data(INTEGRATION_ADMIN.list, {}));
    expect(events.length).toBeGreaterThan(20);
    expect(everything.includes(PET_API_KEY)).toBe(false);
    expect(everything.includes(PET_TOKEN)).toBe(false);
  });
});
