import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INTEGRATION_ADMIN } from '@autoweave/contracts';
import { runService, type RunningService } from '@autoweave/service-kit';
import { freePort, startNatsServer, type NatsServerHandle } from '@autoweave/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DEV_ADMIN_KEY_MESSAGE } from './auth/admin-key.js';
import type { GatewayConfig } from './config.js';
import { gatewayService } from './gateway.definition.js';
import { boundPort } from './http/address.js';

const TEST_SECRET_KEY = randomBytes(32).toString('base64');

/** Fails instead of hanging when `promise` does not settle in time. */
async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('webhook-gateway start and stop', () => {
  let nats: NatsServerHandle;
  let client: NatsConnection;

  beforeAll(async () => {
    nats = await startNatsServer();
    client = await connect({ servers: nats.url });
  });

  afterAll(async () => {
    await client?.close();
    await nats?.stop();
  });

  it('without AUTOWEAVE_ADMIN_API_KEY, prints a development admin key once and accepts it', async () => {
    const written: string[] = [];
    const original = process.stdout.write;
    process.stdout.write = ((chunk: string | Uint8Array) => {
      written.push(chunk.toString());
      return true;
    }) as typeof process.stdout.write;
    let gateway: RunningService<GatewayConfig>;
    try {
      gateway = await runService(gatewayService, { NATS_URL: nats.url, AUTOWEAVE_SECRET_KEY: TEST_SECRET_KEY, AUTOWEAVE_HTTP_PORT: '0', LOG_LEVEL: 'silent' });
    } finally {
      process.stdout.write = original;
    }
    try {
      const lines = written.join('').split('\n').filter((l) => l.includes(DEV_ADMIN_KEY_MESSAGE));
      expect(lines).toHaveLength(1);
      const key = (JSON.parse(lines[0]) as { key: string }).key;
      expect(key).toMatch(/^aw_[A-Za-z0-9_-]{43}$/);
      expect(written.join('').split(key)).toHaveLength(2); // the key appears exactly once

      const base = `http://127.0.0.1:${boundPort(gateway.app)}`;
      expect((await fetch(`${base}/api/keys`, { headers: { 'x-api-key': key } })).status).toBe(200);
      expect((await fetch(`${base}/api/keys`, { headers: { 'x-api-key': 'test-admin-key' } })).status).toBe(401);
    } finally {
      await gateway.stop();
    }
  });

  it('listens on AUTOWEAVE_HTTP_PORT and, on stop, finishes a request in flight and then closes the port', async () => {
    const port = await freePort();
    const gateway = await runService(gatewayService, {
      NATS_URL: nats.url, AUTOWEAVE_SECRET_KEY: TEST_SECRET_KEY,
      AUTOWEAVE_HTTP_PORT: String(port),
      AUTOWEAVE_ADMIN_API_KEY: 'test-admin-key',
      LOG_LEVEL: 'silent',
    });
    expect(boundPort(gateway.app)).toBe(port);
    const slowHub = client.subscribe(INTEGRATION_ADMIN.get, {
      callback: (_err, msg) => {
        setTimeout(() => msg.respond(JSON.stringify({ ok: true, data: { slow: true } })), 300);
      },
    });
    await client.flush();
    try {
      const base = `http://127.0.0.1:${port}`;
      const pending = fetch(`${base}/api/integration/0b7d7a58-4a0e-4f43-9d6f-2f3a1c0e9b11`, { headers: { 'x-api-key': 'test-admin-key' } });
      await new Promise((r) => setTimeout(r, 100));
      await within(5000, gateway.stop(), 'stop() with a request in flight');
      const res = await pending;
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ slow: true });
      await expect(fetch(`${base}/health/live`)).rejects.toThrow();
    } finally {
      slowHub.unsubscribe();
      await gateway.stop();
    }
  });

  it('on stop, /health/ready answers 503 at once and requests are still served during AUTOWEAVE_SHUTDOWN_DELAY_MS', async () => {
    const port = await freePort();
    const gateway = await runService(gatewayService, {
      NATS_URL: nats.url, AUTOWEAVE_SECRET_KEY: TEST_SECRET_KEY,
      AUTOWEAVE_HTTP_PORT: String(port),
      AUTOWEAVE_ADMIN_API_KEY: 'test-admin-key',
      AUTOWEAVE_SHUTDOWN_DELAY_MS: '1500',
      LOG_LEVEL: 'silent',
    });
    const base = `http://127.0.0.1:${port}`;
    try {
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);
      const stopped = gateway.stop();
      // What a load balancer sees: not ready, so it stops sending here, while requests it already sent are answered.
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'fail', checks: { serving: { ok: false, error: 'shutting down' }, nats: { ok: true } } });
      expect((await fetch(`${base}/api/keys`, { headers: { 'x-api-key': 'test-admin-key' } })).status).toBe(200);
      await within(10_000, stopped, 'stop() after the delay');
      await expect(fetch(`${base}/health/live`)).rejects.toThrow();
    } finally {
      await gateway.stop();
    }
  });
});
