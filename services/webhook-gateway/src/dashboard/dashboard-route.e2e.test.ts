import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runService, type RunningService } from '@autoweave/service-kit';
import { startNatsServer, type NatsServerHandle } from '@autoweave/testing';
import type { GatewayConfig } from '../config.js';
import { gatewayService } from '../gateway.definition.js';
import { localBaseUrl } from '../http/address.js';
import { CONTENT_SECURITY_POLICY } from './security-headers.js';

const INDEX = '<!doctype html><title>AutoWeave</title><script type="module" src="/assets/app-abc123.js"></script>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(2000))});`;

describe('webhook-gateway - the dashboard at /', () => {
  let nats: NatsServerHandle;
  let gateway: RunningService<GatewayConfig>;
  let base: string;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'autoweave-dashboard-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'app-abc123.js'), SCRIPT);
    nats = await startNatsServer();
    gateway = await runService(gatewayService, {
      NATS_URL: nats.url,
      AUTOWEAVE_SECRET_KEY: randomBytes(32).toString('base64'),
      AUTOWEAVE_HTTP_PORT: '0',
      AUTOWEAVE_HTTP_HOST: '127.0.0.1',
      AUTOWEAVE_ADMIN_API_KEY: 'dashboard-admin-key',
      AUTOWEAVE_DASHBOARD_DIR: dir,
      LOG_LEVEL: 'silent',
    });
    base = localBaseUrl(gateway.app);
  });

  afterAll(async () => {
    await gateway?.stop();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html without an API key, with the security headers and no caching', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(INDEX);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves hashed assets gzipped when asked, cached for good, and answers 304 to a matching ETag', async () => {
    const res = await new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
      // node:http, so the gzip body is seen as sent (fetch would decode it).
      import('node:http').then(({ get }) =>
        get(`${base}/assets/app-abc123.js`, { headers: { 'accept-encoding': 'gzip' } }, (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks) }));
        }).on('error', reject),
      );
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.body.length).toBeLessThan(SCRIPT.length);
    expect(gunzipSync(res.body).toString()).toBe(SCRIPT);
    const again = await fetch(`${base}/assets/app-abc123.js`, { headers: { 'if-none-match': String(res.headers.etag) } });
    expect(again.status).toBe(304);
  });

  it.each(['/assets/missing.js', '/assets/../index.html', '/assets/%2e%2e/index.html'])('answers 404 for %s (only files of the build)', async (path) => {
    const res = await fetch(`${base}${path}`);
    expect([404]).toContain(res.status);
  });

  it('leaves the API behind its keys', async () => {
    expect((await fetch(`${base}/api/integration/list`)).status).toBe(401);
  });
});
