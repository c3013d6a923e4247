import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ERROR_CODES, HEADERS, INTEGRATION_ADMIN, SERVICE_EVENTS,
  INTEGRATION_REQUEST, PING, type Envelope, type ErrorCode } from '@autoweave/contracts';
import type { RunningService } from '@autoweave/service-kit';
import { runService } from '@autoweave/service-kit';
import { startNatsServer, type NatsServerHandle } from '@autoweave/testing';
import { connect, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { hashApiKey } from './auth/api-key.js';
import type { GatewayConfig } from './config.js';
import { gatewayService } from './gateway.definition.js';
import { localBaseUrl } from './http/address.js';

const TEST_SECRET_KEY = randomBytes(32).toString('base64');

const ADMIN_KEY = 'test-admin-key';
const ID = '0b7d7a58-4a0e-4f43-9d6f-2f3a1c0e9b11';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Received {
  subject: string;
  payload: unknown;
  correlationId: string | undefined;
}

type Answer = Envelope<unknown> | null | Promise<Envelope<unknown> | null>;

/**
 * Stands in for the hub: a plain NATS responder on integration.admin.* that
 * records what it receives and answers with `answer` (default: echo the
 * subject and payload). `null` means no answer at all.
 */
class FakeHub {
  readonly received: Received[] = [];
  answer: (subject: string, payload: unknown) => Answer = (subject, payload) => ({ ok: true, data: { subject, payload } });
  private sub: Subscription | undefined;

  constructor(private readonly nc: NatsConnection) {}

  async start(): Promise<void> {
    // The hub's request subjects: integration.admin.* and integration.request.execute.
    this.sub = this.nc.subscribe('integration.*.*', { callback: (_err, msg) => void this.handle(msg) });
    await this.nc.flush();
  }

  async stop(): Promise<void> {
    this.sub?.unsubscribe();
    await this.nc.flush();
  }

  reset(): void {
    this.received.length = 0;
    this.answer = (subject, payload) => ({ ok: true, data: { subject, payload } });
  }

  last(): Received | undefined {
    return this.received.at(-1);
  }

  private async handle(msg: Msg): Promise<void> {
    const payload: unknown = JSON.parse(new TextDecoder().decode(msg.data));
    this.received.push({ subject: msg.subject, payload, correlationId: msg.headers?.get(HEADERS.correlationId) || undefined });
    const reply = await this.answer(msg.subject, payload);
    if (reply) msg.respond(JSON.stringify(reply));
  }
}

interface CallOptions {
  key?: string | null;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

interface Answered {
  status: number;
  headers: Headers;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('webhook-gateway over HTTP, with a stand-in hub on a real nats-server', () => {
  let nats: NatsServerHandle;
  let gateway: RunningService<GatewayConfig>;
  let client: NatsConnection;
  let hub: FakeHub;
  let base: string;

  beforeAll(async () => {
    nats = await startNatsServer();
    gateway = await runService(gatewayService, {
      NATS_URL: nats.url, AUTOWEAVE_SECRET_KEY: TEST_SECRET_KEY,
      AUTOWEAVE_HTTP_PORT: '0',
      AUTOWEAVE_HTTP_HOST: '127.0.0.1',
      AUTOWEAVE_ADMIN_API_KEY: ADMIN_KEY,
      AUTOWEAVE_REQUEST_TIMEOUT_MS: '400',
      LOG_LEVEL: 'silent',
    });
    base = localBaseUrl(gateway.app);
    client = await connect({ servers: nats.url });
    hub = new FakeHub(client);
    await hub.start();
  });

  afterAll(async () => {
    await client?.close();
    await gateway?.stop();
    await nats?.stop();
  });

  beforeEach(() => hub.reset());

  async function call(method: string, path: string, options: CallOptions = {}): Promise<Answered> {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? ADMIN_KEY : options.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const res = await fetch(base + path, { method, headers, body });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  describe('integration routes', () => {
    it.each<[string, string, string, CallOptions, number, string, unknown]>([
      ['register', 'POST', '/api/integration/register', { body: { name: 'a', type: 'webhook', config: { url: 'http://x' } } }, 201,
        INTEGRATION_ADMIN.register, { name: 'a', type: 'webhook', config: { url: 'http://x' } }],
      ['install', 'POST', '/api/integration/install', { body: { config: { source: 'npm', name: 'p', version: '1.0.0' } } }, 201,
        INTEGRATION_ADMIN.install, { config: { source: 'npm', name: 'p', version: '1.0.0' } }],
      ['list with filters', 'GET', '/api/integration/list?type=webhook&status=active&tag=t1&token=nope', {}, 200,
        INTEGRATION_ADMIN.list, { type: 'webhook', status: 'active', tag: 't1' }],
      ['list without filters', 'GET', '/api/integration/list', {}, 200, INTEGRATION_ADMIN.list, {}],
      ['get', 'GET', `/api/integration/${ID}`, {}, 200, INTEGRATION_ADMIN.get, { id: ID }],
      ['update', 'PUT', `/api/integration/${ID}`, { body: { description: 'd', config: { a: 1 }, revision: 3 } }, 200,
        INTEGRATION_ADMIN.update, { id: ID, description: 'd', config: { a: 1 }, revision: 3 }],
      ['update with If-Match', 'PUT', `/api/integration/${ID}`, { body: { tags: ['x'] }, headers: { 'if-match': '"4"' } }, 200,
        INTEGRATION_ADMIN.update, { id: ID, tags: ['x'], revision: 4 }],
      ['update whose body names another id', 'PUT', `/api/integration/${ID}`, { body: { id: 'other', metadata: {} } }, 200,
        INTEGRATION_ADMIN.update, { id: ID, metadata: {} }],
      ['delete', 'DELETE', `/api/integration/${ID}`, {}, 200, INTEGRATION_ADMIN.delete, { id: ID }],
      ['enable', 'POST', `/api/integration/${ID}/enable`, {}, 200, INTEGRATION_ADMIN.enable, { id: ID }],
      ['disable', 'POST', `/api/integration/${ID}/disable`, {}, 200, INTEGRATION_ADMIN.disable, { id: ID }],
      ['rotate-secret', 'POST', `/api/integration/${ID}/rotate-secret`, { body: { graceMs: 1000 } }, 200, INTEGRATION_ADMIN.rotateSecret, { id: ID, graceMs: 1000 }],
      ['rotate-secret without a body', 'POST', `/api/integration/${ID}/rotate-secret`, {}, 200, INTEGRATION_ADMIN.rotateSecret, { id: ID }],
      ['execute', 'POST', `/api/integration/${ID}/execute`, { body: { action: 'getPet', params: { petId: 1 } } }, 200,
        INTEGRATION_REQUEST.execute, { integrationId: ID, action: 'getPet', params: { petId: 1 } }],
      ['test', 'POST', `/api/integration/${ID}/test`, {}, 200, INTEGRATION_ADMIN.test, { id: ID }],
      ['metrics over a window', 'GET', `/api/integration/${ID}/metrics?window=60`, {}, 200, INTEGRATION_ADMIN.metrics, { id: ID, windowSeconds: 60 }],
      ['logs with filters', 'GET', `/api/integration/${ID}/logs?since=2026-01-01T00:00:00Z&level=warn&limit=5`, {}, 200,
        INTEGRATION_ADMIN.logs, { id: ID, since: '2026-01-01T00:00:00Z', level: 'warn', limit: 5 }],
    ])('%s: %s %s becomes one request on its subject', async (_name, method, path, options, status, subject, payload) => {
      const res = await call(method, path, options);
      expect(res.status).toBe(status);
      expect(hub.received).toHaveLength(1);
      expect(hub.last()).toMatchObject({ subject, payload });
      expect(res.json).toEqual({ subject, payload }); // the reply's data, as is
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
    });

    it('sends the revision as the ETag of an integration', async () => {
      hub.answer = () => ({ ok: true, data: { id: ID, revision: 7 } });
      const res = await call('GET', `/api/integration/${ID}`);
      expect(res.headers.get('etag')).toBe('"7"');
      expect(res.json).toEqual({ id: ID, revision: 7 });
    });

    it('refuses an If-Match that disagrees with the body or is malformed, without asking the hub', async () => {
      const mismatch = await call('PUT', `/api/integration/${ID}`, { body: { revision: 2 }, headers: { 'if-match': '"3"' } });
      expect(mismatch.status).toBe(400);
      expect(mismatch.json.error.code).toBe('VALIDATION');
      const malformed = await call('PUT', `/api/integration/${ID}`, { body: {}, headers: { 'if-match': 'W/"3"' } });
      expect(malformed.status).toBe(400);
      expect(hub.received).toHaveLength(0);
    });
  });

  describe('service registration', () => {
    it('POST /api/services/register publishes service.registered with the body as is and answers 202', async () => {
      const body = { name: 'billing', url: 'http://billing:8080', metadata: { integratable: true, openAPIEndpoint: '/openapi.json' } };
      const sub = client.subscribe(SERVICE_EVENTS.registered, { max: 1 });
      const got = (async () => {
        for await (const m of sub) return m.json();
        return undefined;
      })();
      await client.flush();
      const res = await call('POST', '/api/services/register', { body });
      expect(res.status).toBe(202);
      expect(res.json).toEqual({ accepted: true });
      expect(await got).toEqual(body);
      expect(hub.received).toHaveLength(0);
    });

    it('needs a key with write scope', async () => {
      const res = await call('POST', '/api/services/register', { body: { name: 'x', url: 'http://x' }, key: null });
      expect(res.status).toBe(401);
    });
  });

  describe('error replies', () => {
    it.each<[ErrorCode, number]>([
      ['VALIDATION', 400],
      ['NOT_FOUND', 404],
      ['CONFLICT', 409],
      ['UNAVAILABLE', 503],
      ['TIMEOUT', 504],
      ['UPSTREAM', 502],
      ['RATE_LIMITED', 429],
      ['INTERNAL', 500],
      ['UNAUTHORIZED', 401],
    ])('a %s reply from the hub becomes HTTP %i with the error body', async (code, status) => {
      expect(ERROR_CODES[code].status).toBe(status);
      const details = { field: 'name', n: 1 };
      hub.answer = () => ({ ok: false, error: { code, message: `hub says ${code}`, details } });
      const res = await call('GET', `/api/integration/${ID}`);
      expect(res.status).toBe(status);
      expect(res.json).toEqual({ error: { code, message: `hub says ${code}`, details } });
    });

    it('answers 503 UNAVAILABLE when no service answers the subject', async () => {
      await hub.stop();
      try {
        const res = await call('POST', `/api/integration/${ID}/enable`);
        expect(res.status).toBe(503);
        expect(res.json.error.code).toBe('UNAVAILABLE');
      } finally {
        await hub.start();
      }
    });

    it('answers 504 TIMEOUT when the hub does not answer in time', async () => {
      hub.answer = () => null;
      const res = await call('GET', '/api/integration/list');
      expect(res.status).toBe(504);
      expect(res.json.error.code).toBe('TIMEOUT');
      expect(hub.received).toHaveLength(1);
    });

    it('answers an unknown route with 404 NOT_FOUND in the same shape', async () => {
      const res = await call('GET', '/api/nothing-here');
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
    });
  });

  describe('request bodies', () => {
    it.each<[string, CallOptions, number, RegExp]>([
      ['malformed JSON', { rawBody: '{"name":' }, 400, /not valid JSON/],
      ['a JSON array', { body: [1, 2] }, 400, /JSON object/],
      ['a JSON string', { body: 'register me' }, 400, /JSON object/],
      ['JSON null', { rawBody: 'null' }, 400, /JSON object/],
      ['a prototype-poisoning body', { rawBody: '{"name":"a","__proto__":{"admin":true}}' }, 400, /not valid JSON/],
      ['an empty JSON body', { rawBody: '' }, 400, /empty/],
      ['no body at all', {}, 400, /JSON object/],
      ['a text/plain body', { rawBody: '{"name":"a"}', contentType: 'text/plain' }, 415, /application\/json/],
      ['a form body', { rawBody: 'name=a', contentType: 'application/x-www-form-urlencoded' }, 415, /application\/json/],
    ])('refuses %s with VALIDATION before the hub sees it', async (_case, options, status, message) => {
      const res = await call('POST', '/api/integration/register', options);
      expect(res.status).toBe(status);
      expect(res.json.error.code).toBe('VALIDATION');
      expect(res.json.error.message).toMatch(message);
      expect(hub.received).toHaveLength(0);
    });

    it('refuses a JSON array on PUT too', async () => {
      const res = await call('PUT', `/api/integration/${ID}`, { body: [{ description: 'x' }] });
      expect(res.status).toBe(400);
      expect(hub.received).toHaveLength(0);
    });

    it('refuses a body that is not a JSON object even where the route reads no body', async () => {
      const res = await call('POST', `/api/integration/${ID}/enable`, { body: ['x'] });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION');
      expect(hub.received).toHaveLength(0);
      expect((await call('POST', `/api/integration/${ID}/enable`, { body: {} })).status).toBe(200);
    });

    it('answers 413 to a body over the limit (1 MiB by default)', async () => {
      const res = await call('POST', '/api/integration/register', { body: { name: 'a', config: { blob: 'x'.repeat(1024 * 1024) } } });
      expect(res.status).toBe(413);
      expect(res.json.error).toEqual({ code: 'VALIDATION', message: expect.stringContaining('1048576'), details: { limitBytes: 1048576 } });
      expect(hub.received).toHaveLength(0);
    });

    it('still accepts a body just under the limit', async () => {
      const res = await call('POST', '/api/integration/register', { body: { name: 'a', config: { blob: 'x'.repeat(1000 * 1000) } } });
      expect(res.status).toBe(201);
    });
  });

  describe('API keys', () => {
    it('answers 401 with WWW-Authenticate without a key, with an unknown key and with a malformed one', async () => {
      for (const key of [null, 'aw_' + 'A'.repeat(43), 'wrong', `${ADMIN_KEY}x`]) {
        const res = await call('GET', '/api/integration/list', { key });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
        expect(res.json.error.code).toBe('UNAUTHORIZED');
      }
      const basic = await call('GET', '/api/integration/list', { key: null, headers: { authorization: 'Basic dGVzdDp0ZXN0' } });
      expect(basic.status).toBe(401);
      expect(hub.received).toHaveLength(0);
    });

    it('checks the key before reading the body', async () => {
      const res = await call('POST', '/api/integration/register', { key: null, rawBody: '{"broken' });
      expect(res.status).toBe(401);
    });

    it('accepts the key as x-api-key too', async () => {
      const res = await call('GET', '/api/integration/list', { key: null, headers: { 'x-api-key': ADMIN_KEY } });
      expect(res.status).toBe(200);
    });

    it('creates, uses, scopes and revokes keys', async () => {
      const created = await call('POST', '/api/keys', { body: { name: 'reader', scopes: ['read'] } });
      expect(created.status).toBe(201);
      expect(created.json).toEqual({ id: expect.stringMatching(UUID), name: 'reader', scopes: ['read'], createdAt: expect.any(String), key: expect.stringMatching(/^aw_[A-Za-z0-9_-]{43}$/) });
      const reader: string = created.json.key;

      expect((await call('GET', `/api/integration/${ID}`, { key: reader })).status).toBe(200);

      const denied = await call('PUT', `/api/integration/${ID}`, { key: reader, body: { description: 'x' } });
      expect(denied.status).toBe(403);
      expect(denied.json.error.code).toBe('UNAUTHORIZED');
      expect(denied.json.error.message).toContain('"write"');
      expect(denied.headers.get('www-authenticate')).toContain('insufficient_scope');
      expect((await call('POST', `/api/integration/${ID}/enable`, { key: reader })).status).toBe(403);
      expect((await call('DELETE', `/api/integration/${ID}`, { key: reader })).status).toBe(403);

      const writer: string = (await call('POST', '/api/keys', { body: { name: 'writer', scopes: ['write'] } })).json.key;
      expect((await call('PUT', `/api/integration/${ID}`, { key: writer, body: { description: 'x' } })).status).toBe(200);
      expect((await call('GET', '/api/integration/list', { key: writer })).status).toBe(200);
      const notAdmin = await call('GET', '/api/keys', { key: writer });
      expect(notAdmin.status).toBe(403);
      expect(notAdmin.json.error.message).toContain('"admin"');
      expect((await call('POST', '/api/keys', { key: writer, body: { name: 'x', scopes: ['admin'] } })).status).toBe(403);

      const listed = await call('GET', '/api/keys');
      expect(listed.status).toBe(200);
      expect(listed.json.items).toEqual(
        expect.arrayContaining([
          { id: created.json.id, name: 'reader', scopes: ['read'], createdAt: created.json.createdAt },
          expect.objectContaining({ name: 'writer', scopes: ['write'] }),
        ]),
      );
      expect(listed.text).not.toContain(reader);
      expect(listed.text).not.toContain(hashApiKey(reader));
      expect(listed.text).not.toMatch(/"(key|hash)"/);

      const revoked = await call('DELETE', `/api/keys/${created.json.id}`);
      expect(revoked.status).toBe(200);
      expect(revoked.json).toMatchObject({ id: created.json.id, revokedAt: expect.any(String) });
      const after = await call('GET', `/api/integration/${ID}`, { key: reader });
      expect(after.status).toBe(401);
      expect(after.json.error.code).toBe('UNAUTHORIZED');
      expect((await call('GET', '/api/integration/list', { key: writer })).status).toBe(200);
    });

    it('validates key creation and answers 404 for an unknown key id', async () => {
      const bad = await call('POST', '/api/keys', { body: { name: 'x', scopes: ['root'] } });
      expect(bad.status).toBe(400);
      expect(bad.json.error.code).toBe('VALIDATION');
      expect((await call('DELETE', '/api/keys/no-such-key')).status).toBe(404);
    });

    it('never echoes the admin key or its hash', async () => {
      const answers = [
        await call('GET', '/api/keys'),
        await call('POST', '/api/keys', { body: { name: 'echo', scopes: ['read'] } }),
        await call('POST', '/api/keys', { rawBody: '{oops' }),
        await call('GET', '/api/nothing'),
        await call('GET', `/api/integration/${ID}`, { key: `${ADMIN_KEY}-wrong` }),
        await call('GET', `/api/integration/${ID}`, { key: null, headers: { 'x-api-key': ADMIN_KEY } }),
      ];
      for (const res of answers) {
        const headers = JSON.stringify([...res.headers]);
        for (const secret of [ADMIN_KEY, hashApiKey(ADMIN_KEY)]) {
          expect(res.text).not.toContain(secret);
          expect(headers).not.toContain(secret);
        }
      }
      expect(answers[0].json.items.map((k: { id: string }) => k.id)).not.toContain('admin');
    });
  });

  describe('correlation ids', () => {
    it('passes the caller id to the hub in the NATS headers and echoes it, across body parsing', async () => {
      const res = await call('POST', '/api/integration/register', { body: { name: 'c' }, headers: { 'x-correlation-id': 'corr-e2e-1' } });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-correlation-id')).toBe('corr-e2e-1');
      expect(hub.last()?.correlationId).toBe('corr-e2e-1');
    });

    it('keeps it when the body arrives after the headers, in pieces', async () => {
      const body = JSON.stringify({ name: 'slow-body', config: { blob: 'y'.repeat(64 * 1024) } });
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${base}/api/integration/register`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-correlation-id': 'corr-slow-body' },
        });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.flushHeaders();
        const half = Math.floor(body.length / 2);
        setTimeout(() => req.write(body.slice(0, half)), 50);
        setTimeout(() => req.end(body.slice(half)), 100);
      });
      expect(status).toBe(201);
      expect(hub.last()).toMatchObject({ subject: INTEGRATION_ADMIN.register, correlationId: 'corr-slow-body' });
    });

    it('makes one when the caller sends none or an unusable one, and the hub sees that one', async () => {
      for (const headers of [{}, { 'x-correlation-id': 'has spaces and {braces}' }] as Record<string, string>[]) {
        hub.reset();
        const res = await call('GET', `/api/integration/${ID}`, { headers });
        const id = res.headers.get('x-correlation-id');
        expect(id).toMatch(UUID);
        expect(hub.last()?.correlationId).toBe(id);
      }
    });

    it('echoes it on errors too', async () => {
      const res = await call('GET', '/api/integration/list', { key: null, headers: { 'x-correlation-id': 'corr-401' } });
      expect(res.status).toBe(401);
      expect(res.headers.get('x-correlation-id')).toBe('corr-401');
    });
  });

  describe('health, metrics, OpenAPI, bus', () => {
    it('serves liveness and readiness without a key', async () => {
      const live = await call('GET', '/health/live', { key: null });
      expect(live.status).toBe(200);
      expect(live.json).toEqual({ status: 'ok' });
      const ready = await call('GET', '/health/ready', { key: null });
      expect(ready.status).toBe(200);
      expect(ready.json).toEqual({ status: 'ok', checks: { nats: { ok: true }, 'kv:api_keys': { ok: true }, 'kv:integrations': { ok: true }, serving: { ok: true } } });
    });

    it('counts requests by method, route pattern and status in /metrics', async () => {
      await call('GET', `/api/integration/${ID}`);
      await call('GET', '/api/integration/list', { key: null });
      await call('GET', '/not/a/route');
      const res = await call('GET', '/metrics', { key: null });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/plain/);
      expect(res.text).toMatch(/autoweave_http_requests_total\{method="GET",route="\/api\/integration\/:id",status="200"[^}]*\} [1-9]/);
      expect(res.text).toMatch(/autoweave_http_requests_total\{method="GET",route="\/api\/integration\/list",status="401"[^}]*\} [1-9]/);
      expect(res.text).toMatch(/autoweave_http_requests_total\{method="GET",route="unmatched",status="404"/);
      expect(res.text).toMatch(/autoweave_http_request_duration_seconds_count\{[^}]*route="\/api\/integration\/:id"[^}]*\} [1-9]/);
      expect(res.text).not.toContain(ID); // route patterns, not URLs
    });

    it('serves its OpenAPI document listing every route with its security', async () => {
      const res = await call('GET', '/api-docs/openapi.json', { key: null });
      expect(res.status).toBe(200);
      const doc = res.json as { openapi: string; paths: Record<string, Record<string, { security?: unknown[] }>>; components: { securitySchemes: Record<string, unknown> } };
      expect(doc.openapi).toMatch(/^3\./);
      const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
      const expected = [
        'POST /api/integration/register',
        'POST /api/integration/install',
        'GET /api/integration/list',
        'GET /api/integration/{id}',
        'PUT /api/integration/{id}',
        'DELETE /api/integration/{id}',
        'POST /api/integration/{id}/enable',
        'POST /api/integration/{id}/rotate-secret',
        'POST /api/pipeline/register',
        'GET /api/pipeline',
        'GET /api/pipeline/metrics',
        'GET /api/pipeline/components',
        'GET /api/pipeline/{id}',
        'GET /api/pipeline/{id}/status',
        'POST /api/pipeline/{id}/execute',
        'POST /api/pipeline/{id}/pause',
        'POST /api/pipeline/{id}/resume',
        'DELETE /api/pipeline/{id}',
        'GET /api/pipeline/{id}/dead-letters',
        'POST /api/pipeline/{id}/dead-letters/retry',
        'POST /api/integration/{id}/disable',
        'POST /api/integration/{id}/execute',
        'POST /api/integration/{id}/test',
        'GET /api/integration/{id}/metrics',
        'GET /api/integration/{id}/logs',
        'GET /api/integration/{id}/manifests',
        'POST /api/integration/{id}/sync',
        'GET /api/integration/{id}/deliveries',
        'POST /api/integration/{id}/deliveries/{msgId}/replay',
        'POST /api/integration/{id}/replay',
        'POST /api/events/publish',
        'GET /api/search',
        'POST /api/services/register',
        'POST /api/keys',
        'POST /api/keys/{id}/rotate',
        'GET /api/keys',
        'DELETE /api/keys/{id}',
        'GET /api/audit',
        'GET /health/live',
        'GET /health/ready',
        'GET /metrics',
        'GET /api-docs/openapi.json',
        'POST /webhooks/{integrationId}',
        'GET /ws',
      ];
      expect(routes.sort()).toEqual(expected.sort());
      expect(doc.components.securitySchemes).toEqual({
        bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
        apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }),
      });
      expect(doc.paths['/api/integration/{id}'].put.security).toEqual(expect.arrayContaining([{ bearer: [] }, { apiKey: [] }]));
      expect(doc.paths['/api/keys'].post.security).toEqual(expect.arrayContaining([{ bearer: [] }, { apiKey: [] }]));
      for (const open of ['/health/live', '/health/ready', '/metrics', '/api-docs/openapi.json']) {
        expect(doc.paths[open].get.security).toBeUndefined();
      }
    });

    it('answers its ping subject on the bus', async () => {
      const reply = await client.request(PING.webhookGateway, '', { timeout: 2000 });
      const envelope = JSON.parse(new TextDecoder().decode(reply.data)) as Envelope<{ service: string }>;
      expect(envelope.ok && envelope.data.service).toBe('webhook-gateway');
    });
  });
});
