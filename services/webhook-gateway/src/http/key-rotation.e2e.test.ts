import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { STREAMS } from '@autoweave/contracts';
import type { RunningService } from '@autoweave/service-kit';
import { runService } from '@autoweave/service-kit';
import { startNatsServer, waitFor, type NatsServerHandle } from '@autoweave/testing';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { AuditEntry } from '../audit/audit-log.js';
import type { GatewayConfig } from '../config.js';
import { gatewayService } from '../gateway.definition.js';
import { localBaseUrl } from './address.js';

const ADMIN_NEW = 'rotation-admin-new';
const ADMIN_OLD = 'rotation-admin-old';
const CACHE_MS = 1000;

interface Answered {
  status: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** `POST /api/keys/:id/rotate` and a rolled admin key, on two real gateway instances sharing one nats-server. */
describe('API key rotation over HTTP', () => {
  let nats: NatsServerHandle;
  let a: RunningService<GatewayConfig>;
  let b: RunningService<GatewayConfig>;
  let client: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nats = await startNatsServer();
    const env = {
      NATS_URL: nats.url,
      AUTOWEAVE_SECRET_KEY: randomBytes(32).toString('base64'),
      AUTOWEAVE_HTTP_PORT: '0',
      AUTOWEAVE_HTTP_HOST: '127.0.0.1',
      // An operator rolling the admin key: the new one and the old one, both accepted for now.
      AUTOWEAVE_ADMIN_API_KEY: `${ADMIN_NEW}, ${ADMIN_OLD}`,
      AUTOWEAVE_API_KEY_CACHE_MS: String(CACHE_MS),
      AUTOWEAVE_API_RATE_LIMIT_RPS: '0',
      LOG_LEVEL: 'silent',
    };
    a = await runService(gatewayService, env);
    b = await runService(gatewayService, env);
    client = await connect({ servers: nats.url });
    jsm = await jetstreamManager(client);
  });

  afterAll(async () => {
    await client?.close();
    await b?.stop();
    await a?.stop();
    await nats?.stop();
  });

  async function call(gateway: RunningService<GatewayConfig>, method: string, path: string, options: { key?: string; body?: unknown } = {}): Promise<Answered> {
    const headers: Record<string, string> = { authorization: `Bearer ${options.key ?? ADMIN_NEW}` };
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(localBaseUrl(gateway.app) + path, { method, headers, body });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }

  const status = async (gateway: RunningService<GatewayConfig>, key: string) => (await call(gateway, 'GET', '/api/keys', { key })).status;

  async function createKey(name: string, scopes: string[]): Promise<{ id: string; key: string }> {
    const created = await call(a, 'POST', '/api/keys', { body: { name, scopes } });
    expect(created.status).toBe(201);
    return created.json;
  }

  it('accepts each key of AUTOWEAVE_ADMIN_API_KEY and refuses others', async () => {
    expect(await status(a, ADMIN_NEW)).toBe(200);
    expect(await status(a, ADMIN_OLD)).toBe(200);
    expect(await status(a, 'rotation-admin-older')).toBe(401);
  });

  it('rotates a key: same id and scopes, both secrets work during the grace period, then only the new one', async () => {
    const created = await createKey('ops', ['admin']);
    expect(await status(b, created.key)).toBe(200); // cached on b

    const rotated = await call(a, 'POST', `/api/keys/${created.id}/rotate`, { body: { graceSeconds: 2 } });
    expect(rotated.status).toBe(200);
    expect(rotated.json).toEqual(expect.objectContaining({ id: created.id, name: 'ops', scopes: ['admin'], key: expect.stringMatching(/^aw_/) }));
    expect(rotated.json.key).not.toBe(created.key);
    const expiresAt = Date.parse(rotated.json.previousKeyExpiresAt);
    for (const gateway of [a, b]) expect(await status(gateway, rotated.json.key)).toBe(200);
    // Still inside the grace period (it ends 2 s after the rotation): the old secret works on both instances.
    if (Date.now() < expiresAt - 500) for (const gateway of [a, b]) expect(await status(gateway, created.key)).toBe(200);

    const listed = await call(a, 'GET', '/api/keys');
    const item = listed.json.items.find((k: { id: string }) => k.id === created.id);
    expect(item).toEqual(expect.objectContaining({ rotatedAt: expect.any(String), previousKeyExpiresAt: rotated.json.previousKeyExpiresAt }));
    expect(listed.json.items.filter((k: { id: string }) => k.id === created.id)).toHaveLength(1);

    // After the grace period the old secret is refused everywhere (on b once its cached lookup lapses).
    await waitFor(async () => ((await status(a, created.key)) === 401 && (await status(b, created.key)) === 401) || undefined, {
      what: 'the replaced secret to be refused',
      timeoutMs: 2000 + CACHE_MS + 5000,
    });
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    for (const gateway of [a, b]) expect(await status(gateway, rotated.json.key)).toBe(200);
  });

  it('answers 400 naming the problem for a bad grace period, 404 for an unknown id, 409 for a revoked key, 403 without admin scope', async () => {
    const created = await createKey('reader', ['read']);
    for (const body of [{ graceSeconds: -1 }, { graceSeconds: 'soon' }, { graceSeconds: 10_000_000 }]) {
      const refused = await call(a, 'POST', `/api/keys/${created.id}/rotate`, { body });
      expect(refused.status).toBe(400);
      expect(refused.json.error).toEqual(expect.objectContaining({ code: 'VALIDATION', message: expect.stringMatching(/graceSeconds must be an integer between 0 and 604800/) }));
    }
    expect((await call(a, 'POST', `/api/keys/${created.id}/rotate`, { body: { grace: 1 } })).json.error.message).toMatch(/property grace should not exist/);
    expect((await call(a, 'POST', `/api/keys/${created.id}/rotate`, { key: created.key })).status).toBe(403);
    expect((await call(a, 'POST', '/api/keys/00000000-0000-4000-8000-000000000000/rotate')).status).toBe(404);
    // No body at all: the default grace period.
    const rotated = await call(a, 'POST', `/api/keys/${created.id}/rotate`);
    expect(rotated.status).toBe(200);
    expect(Date.parse(rotated.json.previousKeyExpiresAt) - Date.parse(rotated.json.rotatedAt)).toBe(3600 * 1000);

    expect((await call(a, 'DELETE', `/api/keys/${created.id}`)).status).toBe(200);
    // Revoking refuses both the new secret and the one still in its grace period.
    expect(await status(a, created.key)).toBe(401);
    expect(await status(a, rotated.json.key)).toBe(401);
    const conflict = await call(a, 'POST', `/api/keys/${created.id}/rotate`);
    expect(conflict.status).toBe(409);
    expect(conflict.json.error.message).toMatch(/revoked/);
  });

  it('audits rotations without the secrets, and documents the route', async () => {
    const created = await createKey('audited', ['read']);
    const rotated = await call(a, 'POST', `/api/keys/${created.id}/rotate`, { body: { graceSeconds: 60 } });
    expect(rotated.status).toBe(200);
    const texts = await waitFor(async () => {
      const { state } = await jsm.streams.info(STREAMS.audit.name);
      const all: string[] = [];
      for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
        const msg = await jsm.streams.getMessage(STREAMS.audit.name, { seq });
        if (msg) all.push(msg.string());
      }
      return all.some((t) => t.includes('/rotate') && t.includes('"status":200')) ? all : undefined;
    }, { what: 'the audit entry of the rotation' });
    const entries = texts.map((t) => JSON.parse(t) as AuditEntry);
    expect(entries).toEqual(expect.arrayContaining([expect.objectContaining({ keyId: 'admin', method: 'POST', route: '/api/keys/:id/rotate', status: 200 })]));
    for (const secret of [created.key, rotated.json.key, ADMIN_NEW, ADMIN_OLD]) expect(texts.join('\n')).not.toContain(secret);

    const doc = await fetch(`${localBaseUrl(a.app)}/api-docs/openapi.json`).then((r) => r.json() as Promise<{ paths: Record<string, Record<string, unknown>> }>);
    const operation = doc.paths['/api/keys/{id}/rotate']?.post as { requestBody?: unknown; responses: Record<string, unknown> } | undefined;
    expect(operation).toBeDefined();
    expect(Object.keys(operation!.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '409']));
    expect(JSON.stringify(operation!.requestBody)).toContain('RotateApiKeySchema');
  });
});
