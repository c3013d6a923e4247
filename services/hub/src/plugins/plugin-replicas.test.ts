import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { INTEGRATION_ADMIN, INTEGRATION_REQUEST, PLUGIN_ACTION, type Envelope, type ExecuteResult, type IntegrationView } from '@autoweave/contracts';
import { runService, type RunningService } from '@autoweave/service-kit';
import { startNatsServer, waitFor, type NatsServerHandle } from '@autoweave/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { hubService } from '../hub.definition.js';
import { PLUGIN_CODE, writePluginPackage } from '../testing/plugin-packages.js';
import { PluginHost } from './host/plugin-host.js';

/**
 * Two hub replicas, each with its own plugins folder (no shared volume): one
 * of them holds the plugin's lease and runs it, both answer execute for it,
 * and when the one running it stops the other takes it over.
 */
describe('hub - plugins across replicas', () => {
  let nats: NatsServerHandle;
  let hubs: RunningService[] = [];
  let nc: NatsConnection;
  let work: string;
  const secretKey = randomBytes(32).toString('base64');

  const ask = async <T>(subject: string, payload: unknown): Promise<Envelope<T>> =>
    JSON.parse(new TextDecoder().decode((await nc.request(subject, JSON.stringify(payload), { timeout: 30_000 })).data)) as Envelope<T>;
  const get = async (id: string) => {
    const reply = await ask<IntegrationView>(INTEGRATION_ADMIN.get, { id });
    if (!reply.ok) throw new Error(JSON.stringify(reply.error));
    return reply.data;
  };
  const execute = (integrationId: string) => ask<ExecuteResult>(INTEGRATION_REQUEST.execute, { integrationId, action: PLUGIN_ACTION, params: { n: 1 } });
  const hostOf = (hub: RunningService) => hub.app.get(PluginHost);

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'aw-plugin-replicas-'));
    const localRoot = path.join(work, 'local');
    await writePluginPackage(path.join(localRoot, 'echo'), { name: 'echo', version: '1.0.0', code: PLUGIN_CODE.echo('1.0.0'), autoweave: { subscriptions: ['orders.*'] } });
    nats = await startNatsServer();
    const env = (replica: string) => ({
      NATS_URL: nats.url,
      AUTOWEAVE_SECRET_KEY: secretKey,
      AUTOWEAVE_HEALTH_PORT: '0',
      LOG_LEVEL: 'silent',
      AUTOWEAVE_PLUGINS_DIR: path.join(work, `plugins-${replica}`),
      AUTOWEAVE_PLUGINS_LOCAL_ROOT: localRoot,
      AUTOWEAVE_PLUGIN_LEASE_MS: '1500',
      AUTOWEAVE_PLUGIN_STOP_TIMEOUT_MS: '1000',
    });
    hubs = await Promise.all([runService(hubService, env('a')), runService(hubService, env('b'))]);
    nc = await connect({ servers: nats.url });
  }, 60_000);

  afterAll(async () => {
    await nc?.close();
    await Promise.all(hubs.map((h) => h.stop()));
    await nats?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('runs the plugin on exactly one replica, and both replicas answer execute for it', async () => {
    const reply = await ask<IntegrationView>(INTEGRATION_ADMIN.install, { config: { source: 'local', name: 'echo', path: 'echo' } });
    if (!reply.ok) throw new Error(JSON.stringify(reply.error));
    const id = reply.data.id;
    const view = await waitFor(async () => ((await get(id)).plugin?.state === 'running' ? get(id) : undefined), { what: 'running', timeoutMs: 20_000 });
    const owners = hubs.filter((h) => hostOf(h).local(id));
    expect(owners).toHaveLength(1);
    expect(view.plugin?.replica).toBe(owners[0]!.runtime.instanceId);

    const pids = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const r = await execute(id);
      expect(r.ok).toBe(true);
      if (r.ok) pids.add((r.data.body as { pid: number }).pid);
    }
    expect(pids.size).toBe(1);
    // Both replicas took some of the calls (queue group): the one not running the plugin forwarded them.
    for (const hub of hubs) {
      const lines = (await hub.runtime.registry.getSingleMetricAsString('autoweave_bus_messages_total')).split('\n');
      const answered = lines.find((l) => l.includes(`subject="${INTEGRATION_REQUEST.execute}"`) && l.includes('outcome="ok"'));
      expect(Number(answered?.split(' ').pop())).toBeGreaterThan(0);
    }

    // The owner stops (a rolling restart, say): it releases the lease and the other replica takes the plugin.
    const owner = owners[0]!;
    const other = hubs.find((h) => h !== owner)!;
    await owner.stop();
    hubs = hubs.filter((h) => h !== owner);
    const moved = await waitFor(async () => {
      const v = await get(id);
      return v.plugin?.state === 'running' && v.plugin.replica === other.runtime.instanceId ? v : undefined;
    }, { what: 'taken over by the other replica', timeoutMs: 20_000 });
    expect(moved.health).toBe('healthy');
    const after = await execute(id);
    expect(after).toMatchObject({ ok: true, data: { body: { echoed: { n: 1 } } } });
    expect(pids.has((after.ok && (after.data.body as { pid: number }).pid) as number)).toBe(false);
  });
});
