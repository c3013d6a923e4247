import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INTEGRATION_ADMIN, STREAMS, type Envelope } from '@autoweave/contracts';
import type { RunningService } from '@autoweave/service-kit';
import { runService } from '@autoweave/service-kit';
import { startNatsServer, waitFor, type NatsServerHandle } from '@autoweave/testing';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { GatewayConfig } from '../config.js';
import { gatewayService } from '../gateway.definition.js';
import type { AuditEntry } from '../audit/audit-log.js';
import { localBaseUrl } from './address.js';

const ADMIN_KEY = 'hardening-admin-key';
const ALLOWED_ORIGIN = 'https://ops.example.com';
const ID = '5d6c1f0e-8a43-4c1b-9f77-0c2b9d1e4a21';
const BURST = 20;

interface Answered {
  status: number;
  headers: Headers;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** API rate limit, strict CORS, security headers and the audit log, on a real gateway and nats-server. */
describe('webhook-gateway hardening', () => {
  let nats: NatsServerHandle;
  let strict: RunningService<GatewayConfig>;
  let plain: RunningService<GatewayConfig>;
  let client: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nats = await startNatsServer();
    const env = {
      NATS_URL: nats.url,
      AUTOWEAVE_SECRET_KEY: randomBytes(32).toString('base64'),
      AUTOWEAVE_HTTP_PORT: '0',
      AUTOWEAVE_HTTP_HOST: '127.0.0.1',
      AUTOWEAVE_ADMIN_API_KEY: ADMIN_KEY,
      AUTOWEAVE_REQUEST_TIMEOUT_MS: '2000',
      LOG_LEVEL: 'silent',
    };
    // One refill a second: a burst plus ten requests cannot all pass however slow the machine.
    strict = await runService(gatewayService, { ...env, AUTOWEAVE_API_RATE_LIMIT_RPS: '1', AUTOWEAVE_API_RATE_LIMIT_BURST: String(BURST), AUTOWEAVE_CORS_ORIGINS: ALLOWED_ORIGIN });
    plain = await runService(gatewayService, env);
    client = await connect({ servers: nats.url });
    jsm = await jetstreamManager(client);
    // Stands in for the hub: answers list, register and disable without echoing what it was sent.
    for (const subject of [INTEGRATION_ADMIN.list, INTEGRATION_ADMIN.register, INTEGRATION_ADMIN.disable]) {
      client.subscribe(subject, {
        callback: (_err, msg) => {
          const reply: Envelope<unknown> = { ok: true, data: subject === INTEGRATION_ADMIN.list ? { items: [], total: 0 } : { id: ID, status: 'active' } };
          msg.respond(JSON.stringify(reply));
        },
      });
    }
    await client.flush();
  });

  afterAll(async () => {
    await client?.close();
    await plain?.stop();
    await strict?.stop();
    await nats?.stop();
  });

  async function call(gateway: RunningService<GatewayConfig>, method: string, path: string, options: { key?: string | null; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answered> {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? ADMIN_KEY : options.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(localBaseUrl(gateway.app) + path, { method, headers, body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
  }

  async function createKey(name: string, scopes: string[]): Promise<{ id: string; key: string }> {
    const created = await call(strict, 'POST', '/api/keys', { body: { name, scopes } });
    expect(created.status).toBe(201);
    return created.json;
  }

  /** Every message of the AUDIT stream as raw text, oldest first. */
  async function auditStreamText(): Promise<string[]> {
    const { state } = await jsm.streams.info(STREAMS.audit.name);
    const texts: string[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const msg = await jsm.streams.getMessage(STREAMS.audit.name, { seq });
      if (msg) texts.push(msg.string());
    }
    return texts;
  }

  it('answers 429 with Retry-After once a key spent its burst, while another key is unaffected', async () => {
    const hammer = await createKey('hammer', ['read']);
    const other = await createKey('other', ['read']);
    const statuses: number[] = [];
    let limited: Answered | undefined;
    for (let i = 0; i < BURST + 10; i++) {
      const res = await call(strict, 'GET', '/api/integration/list', { key: hammer.key });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.slice(0, BURST).every((s) => s === 200)).toBe(true);
    expect(limited).toBeDefined();
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited!.json.error).toEqual(expect.objectContaining({ code: 'RATE_LIMITED' }));
    expect((await call(strict, 'GET', '/api/integration/list', { key: other.key })).status).toBe(200);
    // Inbound webhooks are not keyed, so not limited by it (404 here: no such integration).
    expect((await call(strict, 'POST', `/webhooks/${ID}`, { key: null, body: {} })).status).not.toBe(429);
  });

  it('sends no CORS header unless origins are configured, and only for those', async () => {
    const origin = { origin: ALLOWED_ORIGIN };
    const byDefault = await call(plain, 'GET', '/api/integration/list', { headers: origin });
    expect(byDefault.status).toBe(200);
    expect(byDefault.headers.get('access-control-allow-origin')).toBeNull();

    const allowed = await call(strict, 'GET', '/api/integration/list', { headers: origin });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();

    const preflight = { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' };
    const ok = await call(strict, 'OPTIONS', '/api/integration/register', { key: null, headers: { ...origin, ...preflight } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    expect(ok.headers.get('access-control-allow-headers')).toContain('authorization');

    const evil = { origin: 'https://evil.example.com' };
    const refused = await call(strict, 'OPTIONS', '/api/integration/register', { key: null, headers: { ...evil, ...preflight } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect((await call(strict, 'GET', '/api/integration/list', { headers: evil })).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('puts security headers on API answers, errors included', async () => {
    for (const res of [await call(plain, 'GET', '/api/integration/list'), await call(plain, 'GET', '/api/integration/list', { key: null })]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('audits mutations without secrets, and shows the log to admin keys only', async () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const registered = await call(plain, 'POST', '/api/integration/register', {
      body: { name: 'audited', type: 'webhook', config: { url: 'https://hooks.example.com/in', secret } },
      headers: { 'x-correlation-id': 'audit-register-1' },
    });
    expect(registered.status).toBe(201);
    expect((await call(plain, 'POST', `/api/integration/${ID}/disable`)).status).toBe(200);
    const reader = await createKey('audit-reader', ['read']);

    const texts = await waitFor(async () => {
      const all = await auditStreamText();
      return all.some((t) => t.includes('/disable')) && all.some((t) => t.includes('audit-register-1')) && all.some((t) => t.includes('"route":"/api/keys"')) ? all : undefined;
    }, { what: 'the audit entries' });
    const joined = texts.join('\n');
    for (const secretValue of [secret, reader.key, ADMIN_KEY]) expect(joined).not.toContain(secretValue);

    const entries = texts.map((t) => JSON.parse(t) as AuditEntry);
    expect(entries).toEqual(expect.arrayContaining([
      expect.objectContaining({ keyId: 'admin', method: 'POST', route: '/api/integration/register', status: 201, correlationId: 'audit-register-1' }),
      expect.objectContaining({ keyId: 'admin', method: 'POST', route: '/api/integration/:id/disable', integrationId: ID, status: 200 }),
    ]));
    expect(entries.every((e) => Object.keys(e).every((k) => ['ts', 'keyId', 'keyName', 'method', 'route', 'integrationId', 'pipelineId', 'status', 'correlationId'].includes(k)))).toBe(true);

    const listed = await call(plain, 'GET', '/api/audit?limit=2');
    expect(listed.status).toBe(200);
    expect(listed.json.items).toHaveLength(2);
    expect(listed.json.items[0].ts >= listed.json.items[1].ts).toBe(true);
    expect(listed.json.items[0].route).toBe('/api/keys');
    expect((await call(plain, 'GET', `/api/audit?since=${new Date(Date.now() + 60_000).toISOString()}`)).json.items).toEqual([]);
    expect((await call(plain, 'GET', '/api/audit?limit=0')).status).toBe(400);
    expect((await call(plain, 'GET', '/api/audit', { key: reader.key })).status).toBe(403);
  });
});
