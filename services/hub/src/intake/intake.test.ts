import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  INTEGRATION_ADMIN,
  INTEGRATION_EVENTS,
  type DiscoveredModule,
  type Envelope,
  type IntegrationList,
  type IntegrationView,
} from '@autoweave/contracts';
import { runService, type RunningService } from '@autoweave/service-kit';
import { startNatsServer, waitFor, type NatsServerHandle } from '@autoweave/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { hubService } from '../hub.definition.js';

const env = (url: string) => ({ NATS_URL: url, AUTOWEAVE_SECRET_KEY: randomBytes(32).toString('base64'), AUTOWEAVE_HEALTH_PORT: '0', LOG_LEVEL: 'silent' });

const spec = (title: string, extraPath = false) => ({
  openapi: '3.0.3',
  info: { title, version: '1' },
  servers: [{ url: 'http://127.0.0.1:9' }],
  paths: { '/a': { get: { operationId: 'a', responses: { 200: { description: 'ok' } } } }, ...(extraPath ? { '/b': { get: { operationId: 'b', responses: { 200: { description: 'ok' } } } } } : {}) },
});

const module = (name: string, over: Partial<DiscoveredModule> = {}): DiscoveredModule => ({
  name,
  source: 'service',
  sourceRef: `http://127.0.0.1:9/${name}`,
  type: 'openapi',
  config: { openAPISpec: spec(name) },
  contentHash: `hash-${name}-1`,
  present: true,
  ...over,
});

describe('hub - discovered modules become integrations, idempotently (two replicas)', () => {
  let nats: NatsServerHandle;
  let hubs: RunningService[];
  let nc: NatsConnection;
  const events: Array<{ subject: string; data: Record<string, unknown> }> = [];

  const ask = async <T>(subject: string, payload: unknown): Promise<T> => {
    const reply = JSON.parse(new TextDecoder().decode((await nc.request(subject, JSON.stringify(payload), { timeout: 5000 })).data)) as Envelope<T>;
    if (!reply.ok) throw new Error(JSON.stringify(reply.error));
    return reply.data;
  };
  const announce = (m: DiscoveredModule) => nc.publish(INTEGRATION_EVENTS.moduleDiscovered, JSON.stringify(m));
  const byName = async (name: string) => (await ask<IntegrationList>(INTEGRATION_ADMIN.list, {})).items.filter((i) => i.name === name);

  beforeAll(async () => {
    nats = await startNatsServer();
    hubs = await Promise.all([runService(hubService, env(nats.url)), runService(hubService, env(nats.url))]);
    // Both replicas must seal with the same key to read each other's secrets; these tests store none.
    nc = await connect({ servers: nats.url });
    const sub = nc.subscribe('integration.>');
    void (async () => {
      for await (const m of sub) if (!/^integration\.(admin|request|log|module)\./.test(m.subject)) events.push({ subject: m.subject, data: m.json() });
    })();
  });

  afterAll(async () => {
    await nc?.close();
    await Promise.all((hubs ?? []).map((h) => h.stop()));
    await nats?.stop();
  });

  it('integrates a burst of 100 modules, each announced twice, exactly once each', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `svc-${i}`);
    for (const name of names) announce(module(name));
    for (const name of names) announce(module(name));
    await waitFor(async () => (await ask<IntegrationList>(INTEGRATION_ADMIN.list, { tag: 'discovered' })).total === 100, { timeoutMs: 20_000, what: '100 integrations' });
    await new Promise((r) => setTimeout(r, 300));
    const list = await ask<IntegrationList>(INTEGRATION_ADMIN.list, { tag: 'discovered' });
    expect(list.total).toBe(100);
    expect(new Set(list.items.map((i) => i.name)).size).toBe(100);
    expect(events.filter((e) => e.subject === INTEGRATION_EVENTS.created).length).toBe(100);
  });

  it('changes nothing for unchanged content, and updates on changed content with integration.openapi.updated', async () => {
    const [before] = await byName('svc-1');
    announce(module('svc-1'));
    await new Promise((r) => setTimeout(r, 300));
    expect((await byName('svc-1'))[0]!.revision).toBe(before!.revision);
    announce(module('svc-1', { config: { openAPISpec: spec('svc-1', true) }, contentHash: 'hash-svc-1-2' }));
    await waitFor(() => events.some((e) => e.subject === INTEGRATION_EVENTS.openapiUpdated && e.data.id === before!.id), { what: 'openapi.updated' });
    const after = (await byName('svc-1'))[0] as IntegrationView;
    expect(Object.keys((after.config.openAPISpec as { paths: object }).paths)).toEqual(['/a', '/b']);
  });

  it('marks a module that is gone inactive, and active again when it comes back', async () => {
    announce(module('svc-2', { present: false }));
    await waitFor(async () => (await byName('svc-2'))[0]?.status === 'inactive', { what: 'inactive' });
    announce(module('svc-2'));
    await waitFor(async () => (await byName('svc-2'))[0]?.status === 'active', { what: 'active again' });
  });

  it.each([
    ['an announced error', module('broken-1', { error: 'no valid OpenAPI document at /openapi.json' }), /no valid OpenAPI/],
    ['a spec that fails validation', module('broken-2', { config: { openAPISpec: { hello: 'world' } } }), /"openapi" version field/],
    // Discovery checks only that a spec says it is OpenAPI: validating it is the hub's job.
    [
      'a spec that says it is OpenAPI but is invalid',
      module('broken-3', { config: { openAPISpec: { openapi: '3.0.3', info: { title: 'broken' }, paths: { '/a': { get: {} } } } } }),
      /^the OpenAPI document is invalid/,
    ],
  ])('publishes integration.failed for %s and registers nothing', async (_case, m, reason) => {
    announce(m);
    await waitFor(() => events.some((e) => e.subject === INTEGRATION_EVENTS.failed && e.data.name === m.name), { what: 'a failed event' });
    expect(String(events.find((e) => e.subject === INTEGRATION_EVENTS.failed && e.data.name === m.name)!.data.reason)).toMatch(reason);
    expect(await byName(m.name)).toHaveLength(0);
  });

  it('does not take over an integration registered by hand under the same name', async () => {
    await ask(INTEGRATION_ADMIN.register, { name: 'manual', type: 'openapi', config: { openAPISpec: spec('manual') } });
    announce(module('manual'));
    await waitFor(() => events.some((e) => e.subject === INTEGRATION_EVENTS.failed && e.data.name === 'manual'), { what: 'integration.failed for a taken name' });
    expect((await byName('manual'))[0]!.tags).not.toContain('discovered');
  });
});
