import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { BUCKETS, INTEGRATION_ADMIN, INTEGRATION_EVENTS, PING, type Envelope, type IntegrationList, type IntegrationView, type RegisteredIntegration, type RotateSecretResult } from '@autoweave/contracts';
import { runService, type RunningService } from '@autoweave/service-kit';
import { startNatsServer, waitFor, type NatsServerHandle } from '@autoweave/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { hubService } from './hub.definition.js';
import { SecretBox } from '@autoweave/security';

const SECRET_KEY = randomBytes(32).toString('base64');
const env = (url: string) => ({ NATS_URL: url, AUTOWEAVE_SECRET_KEY: SECRET_KEY, AUTOWEAVE_OUTBOUND_ALLOW: 'loopback', AUTOWEAVE_HEALTH_PORT: '0', LOG_LEVEL: 'silent' });

const spec = { openapi: '3.0.3', info: { title: 'Pets', version: '1' }, paths: {} };
const examples = {
  openapi: { name: 'Pet Store', type: 'openapi', tags: ['pets', 'public'], config: { openAPISpec: spec, auth: { type: 'bearer', token: 'tok-PLAIN-1' } } },
  webhook: { name: 'Orders Hook', type: 'webhook', tags: ['orders'], config: { url: 'http://127.0.0.1:9/hook', events: ['order.>'], secret: 'whsec_c2VjcmV0LXBsYWluLTI=' } },
  plugin: { name: 'Enricher', type: 'plugin', config: { source: 'npm', name: 'autoweave-enricher', version: '1.2.3' } },
  database: { name: 'Main DB', type: 'database', tags: ['public'], config: { dbType: 'postgres', connectionString: 'postgres://app:pw-PLAIN-3@db/app' } },
};
const PLAINTEXTS = ['tok-PLAIN-1', 'c2VjcmV0LXBsYWluLTI=', 'pw-PLAIN-3'];

describe('hub - integration registry over NATS', () => {
  let nats: NatsServerHandle;
  let hubs: RunningService[] = [];
  let nc: NatsConnection;
  const events: Array<{ subject: string; data: { id: string } }> = [];

  const ask = async <T>(subject: string, payload: unknown): Promise<Envelope<T>> => {
    const reply = await nc.request(subject, JSON.stringify(payload), { timeout: 5000 });
    return JSON.parse(new TextDecoder().decode(reply.data)) as Envelope<T>;
  };
  const okData = async <T>(subject: string, payload: unknown): Promise<T> => {
    const reply = await ask<T>(subject, payload);
    if (!reply.ok) throw new Error(`${subject} failed: ${JSON.stringify(reply.error)}`);
    return reply.data;
  };
  const errorOf = async (subject: string, payload: unknown) => {
    const reply = await ask(subject, payload);
    if (reply.ok) throw new Error(`${subject} unexpectedly succeeded`);
    return reply.error;
  };

  beforeAll(async () => {
    nats = await startNatsServer();
    hubs = await Promise.all([runService(hubService, env(nats.url)), runService(hubService, env(nats.url))]);
    nc = await connect({ servers: nats.url });
    const sub = nc.subscribe('integration.*');
    void (async () => {
      for await (const m of sub) events.push({ subject: m.subject, data: m.json() });
    })();
  });

  afterAll(async () => {
    await nc?.close();
    await Promise.all(hubs.map((h) => h.stop()));
    await nats?.stop();
  });

  const registered: Record<string, IntegrationView> = {};

  it.each(Object.entries(examples))('registers a %s integration with secrets masked in the reply', async (type, body) => {
    const view = await okData<IntegrationView>(INTEGRATION_ADMIN.register, body);
    registered[type] = view;
    expect(view).toMatchObject({ name: body.name, type, status: 'active', health: 'unknown', revision: expect.any(Number) });
    for (const secret of PLAINTEXTS) expect(JSON.stringify(view)).not.toContain(secret);
    await waitFor(() => events.some((e) => e.subject === INTEGRATION_EVENTS.created && e.data.id === view.id), { what: 'created event' });
  });

  it('shows secrets as *** on every read and stores them sealed', async () => {
    const pet = await okData<IntegrationView>(INTEGRATION_ADMIN.get, { id: registered.openapi.id });
    expect(pet.config.auth).toEqual({ type: 'bearer', token: '***' });
    const db = await okData<IntegrationView>(INTEGRATION_ADMIN.get, { id: registered.database.id });
    expect(db.config.connectionString).toBe('***');
    const list = await okData<IntegrationList>(INTEGRATION_ADMIN.list, {});
    const raw = new TextDecoder().decode((await (await new Kvm(nc).open(BUCKETS.integrations)).get(`i.${registered.database.id}`))!.value);
    for (const secret of PLAINTEXTS) {
      expect(JSON.stringify(list)).not.toContain(secret);
      expect(raw).not.toContain(secret);
    }
    const sealed = JSON.parse(raw).config.connectionString as string;
    expect(JSON.parse(SecretBox.fromString(SECRET_KEY).open(sealed))).toBe(examples.database.config.connectionString);
  });

  const storedWebhookConfig = async (id: string) => {
    const raw = (await (await new Kvm(nc).open(BUCKETS.integrations)).get(`i.${id}`))!.json<{ config: Record<string, string> }>();
    const box = SecretBox.fromString(SECRET_KEY);
    return {
      secret: JSON.parse(box.open(raw.config.secret!)) as string,
      previousSecrets: raw.config.previousSecrets ? (JSON.parse(box.open(raw.config.previousSecrets)) as Array<{ secret: string; expiresAt: string }>) : undefined,
    };
  };

  it('generates a Standard Webhooks secret when a webhook has none, and shows it once: in the register reply', async () => {
    const hook = await okData<RegisteredIntegration>(INTEGRATION_ADMIN.register, { ...examples.webhook, name: 'Generated Secret', config: { url: 'http://127.0.0.1:9/x', events: ['user.*'] } });
    expect(hook.config.secret).toBe('***');
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect((await storedWebhookConfig(hook.id)).secret).toBe(hook.secret);
    expect(JSON.stringify(await okData(INTEGRATION_ADMIN.get, { id: hook.id }))).not.toContain(hook.secret!);
    await okData(INTEGRATION_ADMIN.delete, { id: hook.id });
  });

  it('does not echo a secret the caller gave at registration', async () => {
    const hook = await okData<RegisteredIntegration>(INTEGRATION_ADMIN.register, { ...examples.webhook, name: 'Given Secret' });
    expect(hook.secret).toBeUndefined();
    await okData(INTEGRATION_ADMIN.delete, { id: hook.id });
  });

  it('rotates a webhook secret: the new one is shown once, the old one kept sealed until the grace period ends', async () => {
    const hook = await okData<RegisteredIntegration>(INTEGRATION_ADMIN.register, { ...examples.webhook, name: 'Rotating' });
    const before = Date.now();
    const rotated = await okData<RotateSecretResult>(INTEGRATION_ADMIN.rotateSecret, { id: hook.id, graceMs: 60_000 });
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(examples.webhook.config.secret);
    const stored = await storedWebhookConfig(hook.id);
    expect(stored.secret).toBe(rotated.secret);
    expect(stored.previousSecrets).toEqual([{ secret: examples.webhook.config.secret, expiresAt: rotated.previousSecretExpiresAt }]);
    expect(Date.parse(rotated.previousSecretExpiresAt!) - before).toBeGreaterThanOrEqual(60_000);
    const view = await okData<IntegrationView>(INTEGRATION_ADMIN.get, { id: hook.id });
    expect(view.config).toMatchObject({ secret: '***', previousSecrets: '***' });
    expect(JSON.stringify(view)).not.toContain(rotated.secret);

    const again = await okData<RotateSecretResult>(INTEGRATION_ADMIN.rotateSecret, { id: hook.id, graceMs: 0 });
    expect(again.previousSecretExpiresAt).toBeUndefined();
    const after = await storedWebhookConfig(hook.id);
    expect(after.secret).toBe(again.secret);
    // A rotation without grace drops nothing still valid from earlier rotations.
    expect(after.previousSecrets?.map((p) => p.secret)).toEqual([examples.webhook.config.secret]);
    await okData(INTEGRATION_ADMIN.delete, { id: hook.id });
  });

  it('refuses to rotate the secret of a non-webhook integration or an unknown one', async () => {
    expect((await errorOf(INTEGRATION_ADMIN.rotateSecret, { id: registered.openapi.id })).code).toBe('VALIDATION');
    expect((await errorOf(INTEGRATION_ADMIN.rotateSecret, { id: '00000000-0000-4000-8000-000000000000' })).code).toBe('NOT_FOUND');
    expect((await errorOf(INTEGRATION_ADMIN.rotateSecret, { id: registered.webhook.id, graceMs: -1 })).message).toContain('graceMs');
  });

  it.each([
    [{ type: 'openapi' }, ['openapi']],
    [{ type: 'database' }, ['database']],
    [{ tag: 'public' }, ['database', 'openapi']],
    [{ status: 'active', tag: 'orders' }, ['webhook']],
  ])('lists with filter %j', async (filter, expectedTypes) => {
    const list = await okData<IntegrationList>(INTEGRATION_ADMIN.list, filter);
    expect(list.items.map((i) => i.type).sort()).toEqual(expectedTypes);
    expect(list.total).toBe(list.items.length);
  });

  it.each([
    ['an unknown type', { name: 'x', type: 'ftp', config: {} }, 'type'],
    ['a webhook with events but no url', { name: 'x', type: 'webhook', config: { events: ['a.b'] } }, 'config.url'],
    ['a webhook with a url but no events', { name: 'x', type: 'webhook', config: { url: 'http://example.com/hook' } }, 'config.events'],
    ['a webhook to a cloud metadata address', { name: 'x', type: 'webhook', config: { url: 'http://169.254.169.254/latest', events: ['a'] } }, 'metadata address'],
    ['a webhook to a private address not allowed', { name: 'x', type: 'webhook', config: { url: 'http://10.0.0.8/hook', events: ['a'] } }, 'config.url: SSRF: 10.0.0.8 is a private address'],
    ['a bad webhook secret', { name: 'x', type: 'webhook', config: { url: 'http://a/b', events: ['a'], secret: 'plain' } }, 'config.secret'],
    ['an npm plugin without version', { name: 'x', type: 'plugin', config: { source: 'npm', name: 'p' } }, 'config.version'],
    ['a database with a mysql url', { name: 'x', type: 'database', config: { dbType: 'postgres', connectionString: 'mysql://a' } }, 'config.connectionString'],
    ['openapi with neither spec nor url', { name: 'x', type: 'openapi', config: {} }, 'openAPISpec'],
    ['a missing name', { type: 'plugin', config: {} }, 'name'],
    ['an unknown top-level field', { name: 'x', type: 'plugin', config: {}, colour: 'red' }, 'colour'],
  ])('refuses %s with VALIDATION naming the field and changes nothing', async (_case, body, field) => {
    const before = await okData<IntegrationList>(INTEGRATION_ADMIN.list, {});
    const error = await errorOf(INTEGRATION_ADMIN.register, body);
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toContain(field);
    expect((await okData<IntegrationList>(INTEGRATION_ADMIN.list, {})).total).toBe(before.total);
  });

  it('refuses a second integration with the same name (case-insensitive) with CONFLICT', async () => {
    const error = await errorOf(INTEGRATION_ADMIN.register, { ...examples.plugin, name: 'ENRICHER' });
    expect(error.code).toBe('CONFLICT');
  });

  it('updates with the current revision, refuses a stale one, and keeps a secret sent back as ***', async () => {
    const current = await okData<IntegrationView>(INTEGRATION_ADMIN.get, { id: registered.openapi.id });
    const updated = await okData<IntegrationView>(INTEGRATION_ADMIN.update, {
      id: current.id,
      revision: current.revision,
      tags: ['pets'],
      config: { ...current.config, baseUrl: 'http://127.0.0.1:8080' },
    });
    expect(updated.revision).toBeGreaterThan(current.revision);
    expect(updated.config.baseUrl).toBe('http://127.0.0.1:8080');
    const stale = await errorOf(INTEGRATION_ADMIN.update, { id: current.id, revision: current.revision, tags: ['x'] });
    expect(stale.code).toBe('CONFLICT');
    const raw = (await (await new Kvm(nc).open(BUCKETS.integrations)).get(`i.${current.id}`))!.json<{ config: { auth: { token: string } } }>();
    expect(JSON.parse(SecretBox.fromString(SECRET_KEY).open(raw.config.auth.token))).toBe('tok-PLAIN-1');
    expect((await okData<IntegrationView>(INTEGRATION_ADMIN.get, { id: current.id })).tags).toEqual(['pets']);
  });

  it('refuses an update whose config is invalid and leaves the integration as it was', async () => {
    const before = await okData<IntegrationView>(INTEGRATION_ADMIN.get, { id: registered.webhook.id });
    const error = await errorOf(INTEGRATION_ADMIN.update, { id: before.id, config: { url: 'not a url', events: ['a'] } });
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toContain('config.url');
    expect(await okData<IntegrationView>(INTEGRATION_ADMIN.get, { id: before.id })).toEqual(before);
  });

  it('disables and enables', async () => {
    const id = registered.plugin.id;
    expect((await okData<IntegrationView>(INTEGRATION_ADMIN.disable, { id })).status).toBe('disabled');
    expect((await okData<IntegrationList>(INTEGRATION_ADMIN.list, { status: 'disabled' })).items.map((i) => i.id)).toEqual([id]);
    expect((await okData<IntegrationView>(INTEGRATION_ADMIN.enable, { id })).status).toBe('active');
  });

  it('answers NOT_FOUND for an unknown id and VALIDATION for a malformed one', async () => {
    expect((await errorOf(INTEGRATION_ADMIN.get, { id: '6f1c7c1e-2f44-4d7e-9b8a-3c3e1f0a9b11' })).code).toBe('NOT_FOUND');
    expect((await errorOf(INTEGRATION_ADMIN.get, { id: '../etc' })).code).toBe('VALIDATION');
  });

  describe('two replicas at once', () => {
    it('let exactly one of many concurrent updates at the same revision win', async () => {
      const current = await okData<IntegrationView>(INTEGRATION_ADMIN.get, { id: registered.database.id });
      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, i) => ask<IntegrationView>(INTEGRATION_ADMIN.update, { id: current.id, revision: current.revision, tags: [`t${i}`] })),
      );
      expect(replies.filter((r) => r.ok)).toHaveLength(1);
      expect(replies.filter((r) => !r.ok && r.error.code === 'CONFLICT')).toHaveLength(19);
    });

    it('let exactly one of many concurrent registrations of one name win', async () => {
      const replies = await Promise.all(
        Array.from({ length: 12 }, () => ask<IntegrationView>(INTEGRATION_ADMIN.register, { ...examples.plugin, name: 'Race' })),
      );
      expect(replies.filter((r) => r.ok)).toHaveLength(1);
      const list = await okData<IntegrationList>(INTEGRATION_ADMIN.list, {});
      expect(list.items.filter((i) => i.name === 'Race')).toHaveLength(1);
    });

    it('apply every one of many concurrent unconditional changes (retrying on conflict)', async () => {
      const id = registered.plugin.id;
      const before = await okData<IntegrationView>(INTEGRATION_ADMIN.get, { id });
      const replies = await Promise.all(Array.from({ length: 4 }, (_, i) => ask(i % 2 ? INTEGRATION_ADMIN.enable : INTEGRATION_ADMIN.disable, { id })));
      expect(replies.every((r) => r.ok)).toBe(true);
      const after = await okData<IntegrationView>(INTEGRATION_ADMIN.get, { id });
      expect(after.revision - before.revision).toBeGreaterThanOrEqual(4);
    });

    it('were both answering', async () => {
      const instances = new Set<string>();
      for (let i = 0; i < 30; i++) instances.add((await okData<{ instance: string }>(PING.hub, {})).instance);
      expect(instances.size).toBe(2);
    });
  });

  it('deletes, frees the name, and publishes integration.deleted', async () => {
    const id = registered.webhook.id;
    expect(await okData(INTEGRATION_ADMIN.delete, { id })).toEqual({ id, deleted: true });
    expect((await errorOf(INTEGRATION_ADMIN.get, { id })).code).toBe('NOT_FOUND');
    await waitFor(() => events.some((e) => e.subject === INTEGRATION_EVENTS.deleted && e.data.id === id), { what: 'deleted event' });
    expect((await ask(INTEGRATION_ADMIN.register, examples.webhook)).ok).toBe(true);
  });
});
