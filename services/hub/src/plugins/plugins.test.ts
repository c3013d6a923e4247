import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  INTEGRATION_ADMIN,
  INTEGRATION_EVENTS,
  INTEGRATION_REQUEST,
  PLUGIN_ACTION,
  pluginToken,
  subjectFor,
  type DiscoveredModule,
  type Envelope,
  type ErrorBody,
  type ExecuteResult,
  type HealthChangedEvent,
  type IntegrationView,
} from '@autoweave/contracts';
import { runService, type RunningService } from '@autoweave/service-kit';
import { startNatsServer, waitFor, type NatsServerHandle } from '@autoweave/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { hubService } from '../hub.definition.js';
import { craftTarball, integrityOf, npmPack, PLUGIN_CODE, startPackageServer, writePluginPackage, type PackageServer } from '../testing/plugin-packages.js';

/**
 * The plugin host end to end: one hub and one nats-server for the file, real
 * plugin packages written here, installed from a local folder, from tarball
 * URLs served by a local HTTP server, and with npm from a local registry.
 */
describe('hub - plugins: install, isolate, run', () => {
  let nats: NatsServerHandle;
  let hub: RunningService;
  let nc: NatsConnection;
  let server: PackageServer;
  let work: string;
  let pluginsDir: string;
  let localRoot: string;
  const events: Array<{ subject: string; data: Record<string, unknown> }> = [];

  const ask = async <T>(subject: string, payload: unknown, timeout = 60_000): Promise<Envelope<T>> =>
    JSON.parse(new TextDecoder().decode((await nc.request(subject, JSON.stringify(payload), { timeout })).data)) as Envelope<T>;
  const data = async <T>(subject: string, payload: unknown): Promise<T> => {
    const reply = await ask<T>(subject, payload);
    if (!reply.ok) throw new Error(`${subject}: ${JSON.stringify(reply.error)}`);
    return reply.data;
  };
  const failure = async (subject: string, payload: unknown): Promise<ErrorBody> => {
    const reply = await ask(subject, payload);
    if (reply.ok) throw new Error(`${subject} unexpectedly succeeded: ${JSON.stringify(reply.data)}`);
    return reply.error;
  };
  const install = (name: string, config: Record<string, unknown>) => data<IntegrationView>(INTEGRATION_ADMIN.install, { name, config });
  const get = (id: string) => data<IntegrationView>(INTEGRATION_ADMIN.get, { id });
  const execute = (integrationId: string, params: Record<string, unknown>, timeoutMs?: number) =>
    ask<ExecuteResult>(INTEGRATION_REQUEST.execute, { integrationId, action: PLUGIN_ACTION, params, ...(timeoutMs ? { timeoutMs } : {}) });
  const running = (id: string, what = 'plugin running') =>
    waitFor(async () => {
      const view = await get(id);
      return view.plugin?.state === 'running' && view.health === 'healthy' ? view : undefined;
    }, { what, timeoutMs: 20_000 });
  const installDir = (id: string) => path.join(pluginsDir, '.autoweave', 'installs', id);
  const exists = (p: string) => fs.stat(p).then(() => true, () => false);
  const eventsOf = (name: string, topic: string) => events.filter((e) => e.subject === subjectFor.event(`${subjectFor.pluginNamespace(pluginToken(name))}.${topic}`));
  const remove = async (id: string) => {
    await data(INTEGRATION_ADMIN.delete, { id });
    await waitFor(async () => !(await exists(installDir(id))), { what: 'install folder removed' });
  };
  const localPlugin = async (name: string, code: string, version = '1.0.0', autoweave: Record<string, unknown> = {}) => {
    await writePluginPackage(path.join(localRoot, name), { name, version, code, autoweave });
    return install(name, { source: 'local', name, path: name });
  };

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'aw-plugin-test-'));
    pluginsDir = path.join(work, 'plugins');
    localRoot = path.join(work, 'local');
    await fs.mkdir(pluginsDir);
    await fs.mkdir(localRoot);
    nats = await startNatsServer();
    server = await startPackageServer();
    hub = await runService(hubService, {
      NATS_URL: nats.url,
      AUTOWEAVE_SECRET_KEY: randomBytes(32).toString('base64'),
      AUTOWEAVE_HEALTH_PORT: '0',
      AUTOWEAVE_OUTBOUND_ALLOW: 'loopback',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      AUTOWEAVE_PLUGINS_DIR: pluginsDir,
      AUTOWEAVE_PLUGINS_LOCAL_ROOT: localRoot,
      AUTOWEAVE_PLUGINS_NPM_REGISTRY: server.registry,
      AUTOWEAVE_PLUGIN_MEMORY_MB: '64',
      AUTOWEAVE_PLUGIN_CALL_TIMEOUT_MS: '3000',
      AUTOWEAVE_PLUGIN_PING_INTERVAL_MS: '300',
      AUTOWEAVE_PLUGIN_STOP_TIMEOUT_MS: '1000',
      AUTOWEAVE_PLUGIN_RESTART_INITIAL_MS: '100',
      AUTOWEAVE_PLUGIN_RESTART_MAX_MS: '1000',
      AUTOWEAVE_PLUGIN_LEASE_MS: '3000',
    });
    nc = await connect({ servers: nats.url });
    const sub = nc.subscribe('>');
    void (async () => {
      for await (const m of sub) {
        if (/^(integration\.health\.changed|events\.)/.test(m.subject)) events.push({ subject: m.subject, data: m.json() });
      }
    })();
  }, 60_000);

  afterAll(async () => {
    await nc?.close();
    await hub?.stop();
    await server?.close();
    await nats?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  describe('a well-behaved plugin, end to end', () => {
    let echo: IntegrationView;

    it('installs from a local folder, pins its version, starts it and marks it healthy', async () => {
      await writePluginPackage(path.join(localRoot, 'echo'), { name: 'echo', version: '1.0.0', code: PLUGIN_CODE.echo('1.0.0'), autoweave: { subscriptions: ['orders.*'] } });
      echo = await install('echo', { source: 'local', name: 'echo', path: 'echo', pluginConfig: { greeting: 'hi' }, secrets: { apiKey: 'sk-PLAIN-123' } });
      expect(echo).toMatchObject({ type: 'plugin', config: { source: 'local', name: 'echo', version: '1.0.0', subscriptions: ['orders.*'], secrets: { apiKey: '***' } } });
      expect(JSON.stringify(echo)).not.toContain('sk-PLAIN-123');
      const view = await running(echo.id);
      expect(view.plugin).toMatchObject({ state: 'running', version: '1.0.0', replica: hub.runtime.instanceId, restarts: 0 });
      await waitFor(() => events.some((e) => e.subject === INTEGRATION_EVENTS.healthChanged && e.data.id === echo.id && e.data.to === 'healthy'), { what: 'healthy event' });
      expect(await exists(installDir(echo.id))).toBe(true);
    });

    it('runs processData on the params of integration.request.execute, in its own process', async () => {
      const reply = await execute(echo.id, { order: 42 });
      expect(reply).toMatchObject({ ok: true, data: { status: 200, body: { echoed: { order: 42 }, greeting: 'hi', version: '1.0.0', apiKeyLength: 'sk-PLAIN-123'.length } } });
      expect(reply.ok && (reply.data.body as { pid: number }).pid).not.toBe(process.pid);
    });

    it('refuses an action other than processData', async () => {
      const reply = await ask(INTEGRATION_REQUEST.execute, { integrationId: echo.id, action: 'listPets', params: {} });
      expect(!reply.ok && reply.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('processData') });
    });

    it('delivers events matching its subscriptions, and lets it publish under plugins.<name>.>', async () => {
      await jetstream(nc).publish(subjectFor.event('orders.created'), JSON.stringify({ id: 7 }));
      const seen = await waitFor(() => eventsOf('echo', 'seen')[0], { what: 'the plugin re-publishing the event' });
      expect(seen.data).toEqual({ topic: 'orders.created', data: { id: 7 }, version: '1.0.0' });
    });

    it('disable calls destroy() and stops the process; execute is then UNAVAILABLE; enable starts it again', async () => {
      await data(INTEGRATION_ADMIN.disable, { id: echo.id });
      await waitFor(() => eventsOf('echo', 'destroyed').length === 1, { what: 'destroy() called' });
      await waitFor(async () => (await get(echo.id)).plugin?.state === 'stopped', { what: 'stopped state' });
      expect(await execute(echo.id, {})).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
      await data(INTEGRATION_ADMIN.enable, { id: echo.id });
      await running(echo.id, 'running again');
      expect(await execute(echo.id, { again: true })).toMatchObject({ ok: true, data: { body: { echoed: { again: true } } } });
    });

    it('uninstalls on delete: destroy() is called and its files are removed', async () => {
      const before = eventsOf('echo', 'destroyed').length;
      await remove(echo.id);
      await waitFor(() => eventsOf('echo', 'destroyed').length === before + 1, { what: 'destroy() on delete' });
      await waitFor(async () => !(await exists(installDir(echo.id))), { what: 'install folder removed' });
      expect(await execute(echo.id, {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    });
  });

  describe('misbehaving plugins never take the hub down', () => {
    it('a plugin that throws: the caller gets UPSTREAM with its error, and it keeps serving', async () => {
      const p = await localPlugin('thrower', PLUGIN_CODE.throws);
      await running(p.id);
      const reply = await execute(p.id, { colour: 'red' });
      expect(!reply.ok && reply.error).toMatchObject({ code: 'UPSTREAM', message: expect.stringContaining('cannot process {"colour":"red"}') });
      expect(await execute(p.id, { ok: true })).toMatchObject({ ok: true, data: { body: { fine: true } } });
      expect((await get(p.id)).plugin?.restarts).toBe(0);
      await remove(p.id);
    });

    it('a plugin that exits: the call fails, the plugin is marked unhealthy and restarted', async () => {
      const p = await localPlugin('quitter', PLUGIN_CODE.exits);
      await running(p.id);
      const reply = await execute(p.id, { exit: true });
      expect(!reply.ok && reply.error).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('exited with code 3') });
      await waitFor(() => events.some((e) => e.subject === INTEGRATION_EVENTS.healthChanged && e.data.id === p.id && e.data.to === 'unhealthy'), { what: 'unhealthy event' });
      const back = await running(p.id, 'restarted');
      expect(back.plugin).toMatchObject({ restarts: 1, lastError: expect.stringContaining('exited with code 3') });
      expect(await execute(p.id, {})).toMatchObject({ ok: true, data: { body: { alive: true } } });
      expect(await data(INTEGRATION_ADMIN.list, {})).toBeDefined(); // the hub still answers
      await remove(p.id);
    });

    it('a plugin that loops forever: the call times out, the hung process is killed and restarted', async () => {
      const p = await localPlugin('spinner', PLUGIN_CODE.loops);
      await running(p.id);
      const first = await execute(p.id, {});
      const pid = first.ok && (first.data.body as { pid: number }).pid;
      const reply = await execute(p.id, { spin: true }, 500);
      expect(!reply.ok && reply.error.code).toBe('TIMEOUT');
      const health = await waitFor(() => events.find((e) => e.subject === INTEGRATION_EVENTS.healthChanged && e.data.id === p.id && e.data.to === 'unhealthy'), { what: 'unhealthy' });
      expect((health.data as unknown as HealthChangedEvent).probe.error).toMatch(/hung/);
      await running(p.id, 'restarted after the hang');
      const after = await execute(p.id, {});
      expect(after.ok && (after.data.body as { pid: number }).pid).not.toBe(pid);
      await remove(p.id);
    });

    it('a plugin over its memory cap dies alone and is restarted', async () => {
      const p = await localPlugin('hog', PLUGIN_CODE.hogs);
      await running(p.id);
      const reply = await execute(p.id, { hog: true }, 20_000);
      expect(!reply.ok && reply.error).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('ran out of memory (cap 64 MB)') });
      const back = await running(p.id, 'restarted after running out of memory');
      expect(back.plugin).toMatchObject({ restarts: 1, lastError: expect.stringContaining('ran out of memory') });
      await remove(p.id);
    });

    it('a plugin that fails in initialize() is retried with backoff and stays unhealthy', async () => {
      const p = await localPlugin('broken', PLUGIN_CODE.failsToStart);
      const view = await waitFor(async () => {
        const v = await get(p.id);
        return (v.plugin?.restarts ?? 0) >= 2 ? v : undefined;
      }, { what: 'two restarts', timeoutMs: 20_000 });
      expect(view).toMatchObject({ health: 'unhealthy', plugin: { state: 'restarting', lastError: expect.stringContaining('no database configured') } });
      expect(await execute(p.id, {})).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
      await remove(p.id);
    });
  });

  describe('isolation', () => {
    it('a plugin may read its own folder but nothing outside it, and may not start processes', async () => {
      const secret = path.join(work, 'secret.txt');
      await fs.writeFile(secret, 'top secret');
      const p = await localPlugin('snoop', PLUGIN_CODE.snoops);
      await running(p.id);
      expect(await execute(p.id, { own: true })).toMatchObject({ ok: true, data: { body: { own: 'snoop' } } });
      for (const file of [secret, '/etc/passwd', path.join(localRoot, 'snoop', 'package.json')]) {
        const reply = await execute(p.id, { file });
        expect(!reply.ok && reply.error).toMatchObject({ code: 'UPSTREAM', message: expect.stringContaining('ERR_ACCESS_DENIED') });
      }
      const spawn = await execute(p.id, { spawn: true });
      expect(!spawn.ok && spawn.error.message).toContain('ERR_ACCESS_DENIED');
      await remove(p.id);
    });

    it('refuses publishing outside plugins.<name>.> and subscribing beyond what it declared, and logs it', async () => {
      const p = await localPlugin('trespasser', PLUGIN_CODE.trespasses, '1.0.0', { subscriptions: ['billing.*'] });
      await running(p.id);
      const reply = await execute(p.id, { topic: 'orders.created', pattern: 'orders.*' });
      expect(reply).toMatchObject({
        ok: true,
        data: {
          body: {
            publishError: { code: 'UNAUTHORIZED', message: expect.stringContaining('may publish only under plugins.trespasser.>') },
            subscribeError: { code: 'UNAUTHORIZED', message: expect.stringContaining('declared billing.*') },
          },
        },
      });
      const allowed = await execute(p.id, { topic: 'plugins.trespasser.ok', pattern: 'billing.paid' });
      expect(allowed).toMatchObject({ ok: true, data: { body: { published: true, subscribed: true } } });
      await waitFor(() => eventsOf('trespasser', 'ok').length === 1, { what: 'the allowed publish' });
      expect(events.some((e) => e.subject === subjectFor.event('orders.created') && (e.data as { from?: string }).from === 'trespasser')).toBe(false);
      const metrics = (await hub.runtime.registry.getSingleMetricAsString('autoweave_plugin_bus_refusals_total')).split('\n');
      for (const kind of ['publish', 'subscribe']) {
        expect(metrics.find((line) => line.includes('plugin="trespasser"') && line.includes(`kind="${kind}"`))).toMatch(/ 1$/);
      }
      await remove(p.id);
    });
  });

  describe('sources', () => {
    let packed: Awaited<ReturnType<typeof npmPack>>;

    beforeAll(async () => {
      const dir = await writePluginPackage(path.join(work, 'src', 'tarred'), { name: 'tarred', version: '1.0.0', code: PLUGIN_CODE.echo('1.0.0'), autoweave: { subscriptions: ['orders.*'] } });
      packed = await npmPack(dir, path.join(work, 'packs'));
    });

    it('url: downloads through the SSRF guard, checks the sha512 integrity, installs and runs it', async () => {
      const url = server.serveFile('tarred-1.0.0.tgz', packed.bytes);
      const p = await install('tarred', { source: 'url', name: 'tarred', url, integrity: packed.integrity });
      expect(p.config).toMatchObject({ version: '1.0.0', integrity: packed.integrity });
      await running(p.id);
      expect(await execute(p.id, { via: 'url' })).toMatchObject({ ok: true, data: { body: { echoed: { via: 'url' } } } });
      await remove(p.id);
    });

    it('url: refuses a tarball whose integrity does not match, leaving nothing installed', async () => {
      const url = server.serveFile('tampered.tgz', Buffer.concat([packed.bytes, Buffer.from('x')]));
      const error = await failure(INTEGRATION_ADMIN.install, { name: 'tampered', config: { source: 'url', name: 'tarred', url, integrity: packed.integrity } });
      expect(error).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('integrity mismatch') });
      expect((await data<{ items: IntegrationView[] }>(INTEGRATION_ADMIN.list, {})).items.some((i) => i.name === 'tampered')).toBe(false);
      await expectNothingInstalled();
    });

    it('url: refuses a tarball with a path escaping the package folder', async () => {
      const evil = craftTarball([
        { path: 'package/package.json', content: JSON.stringify({ name: 'evil', version: '1.0.0', main: 'index.js' }) },
        { path: 'package/index.js', content: 'module.exports = class {}' },
        { path: 'package/../../escaped.js', content: 'pwned' },
      ]);
      const url = server.serveFile('evil.tgz', evil);
      const error = await failure(INTEGRATION_ADMIN.install, { name: 'evil', config: { source: 'url', name: 'evil', url, integrity: integrityOf(evil) } });
      expect(error).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('escapes the package folder') });
      const linked = craftTarball([
        { path: 'package/package.json', content: JSON.stringify({ name: 'linked', version: '1.0.0' }) },
        { path: 'package/index.js', type: 'symlink', linkTarget: '/etc/passwd' },
      ]);
      const linkError = await failure(INTEGRATION_ADMIN.install, { name: 'linked', config: { source: 'url', name: 'linked', url: server.serveFile('linked.tgz', linked), integrity: integrityOf(linked) } });
      expect(linkError.message).toContain('symbolic link');
      await expectNothingInstalled();
    });

    it('url: refuses an address the SSRF guard blocks', async () => {
      const error = await failure(INTEGRATION_ADMIN.install, { name: 'metadata', config: { source: 'url', name: 'x', url: 'http://169.254.169.254/x.tgz', integrity: packed.integrity } });
      expect(error).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('SSRF') });
    });

    it('local: refuses a path escaping the allowed root, by .. or through a symbolic link', async () => {
      await writePluginPackage(path.join(work, 'outside'), { name: 'outside', version: '1.0.0', code: PLUGIN_CODE.throws });
      const dotdot = await failure(INTEGRATION_ADMIN.install, { name: 'outside', config: { source: 'local', name: 'outside', path: '../outside' } });
      expect(dotdot).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('outside the allowed local plugins root') });
      await fs.symlink(path.join(work, 'outside'), path.join(localRoot, 'sneaky'));
      const viaLink = await failure(INTEGRATION_ADMIN.install, { name: 'outside', config: { source: 'local', name: 'outside', path: 'sneaky' } });
      expect(viaLink.message).toContain('symbolic link');
      await writePluginPackage(path.join(localRoot, 'leaky'), { name: 'leaky', version: '1.0.0', code: PLUGIN_CODE.throws });
      await fs.symlink(path.join(work, 'secret.txt'), path.join(localRoot, 'leaky', 'data.txt'));
      const inner = await failure(INTEGRATION_ADMIN.install, { name: 'leaky', config: { source: 'local', name: 'leaky', path: 'leaky' } });
      expect(inner.message).toMatch(/symbolic link \(data.txt\) to a place outside/);
      await expectNothingInstalled();
    });

    it('npm: installs an exact version with npm (scripts off), records its integrity, and updates to a new version with no gap', async () => {
      const name = '@acme/versioned';
      for (const version of ['1.0.0', '2.0.0']) {
        const dir = await writePluginPackage(path.join(work, 'src', `versioned-${version}`), {
          name,
          version,
          code: PLUGIN_CODE.echo(version),
          files: { 'install-marker.js': '' },
          autoweave: { subscriptions: ['orders.*'] },
        });
        const manifest = JSON.parse(await fs.readFile(path.join(dir, 'package.json'), 'utf8'));
        // An install script that would leave a file behind if npm ran it.
        manifest.scripts = { postinstall: `node -e "require('fs').writeFileSync('${path.join(work, 'postinstall-ran')}', 'x')"` };
        await fs.writeFile(path.join(dir, 'package.json'), JSON.stringify(manifest));
        server.publish(name, version, await npmPack(dir, path.join(work, 'packs')));
      }
      const p = await install(name, { source: 'npm', name, version: '1.0.0' });
      expect(p).toMatchObject({ name, config: { version: '1.0.0', integrity: expect.stringMatching(/^sha512-/) } });
      expect(await exists(path.join(work, 'postinstall-ran'))).toBe(false);
      await running(p.id);
      expect(await execute(p.id, {})).toMatchObject({ ok: true, data: { body: { version: '1.0.0' } } });
      const oldDirs = await fs.readdir(installDir(p.id));

      // Calls keep succeeding while the update runs: the new process serves before the old one stops.
      let calling = true;
      const outcomes: string[] = [];
      const caller = (async () => {
        while (calling) {
          const r = await execute(p.id, {});
          outcomes.push(r.ok ? `ok ${(r.data.body as { version: string }).version}` : r.error.code);
        }
      })();
      const current = await get(p.id);
      const updated = await data<IntegrationView>(INTEGRATION_ADMIN.update, { id: p.id, config: { ...current.config, version: '2.0.0' } });
      expect(updated.config).toMatchObject({ version: '2.0.0', integrity: expect.stringMatching(/^sha512-/) });
      expect(updated.config.integrity).not.toBe(current.config.integrity);
      await waitFor(() => outcomes.includes('ok 2.0.0'), { what: 'calls answered by 2.0.0', timeoutMs: 20_000 });
      await waitFor(() => eventsOf(name, 'destroyed').some((e) => e.data.version === '1.0.0'), { what: '1.0.0 destroyed' });
      calling = false;
      await caller;
      expect(outcomes.filter((o) => !o.startsWith('ok'))).toEqual([]);
      expect(outcomes.indexOf('ok 2.0.0')).toBeGreaterThan(-1);
      await waitFor(async () => {
        const dirs = await fs.readdir(installDir(p.id));
        return dirs.length === 1 && !oldDirs.includes(dirs[0]!);
      }, { what: 'the old version removed' });
      expect((await get(p.id)).plugin).toMatchObject({ state: 'running', version: '2.0.0' });
      await remove(p.id);
      await waitFor(async () => !(await exists(installDir(p.id))), { what: 'uninstalled' });
    });

    it('npm: a version that does not exist fails with a clear reason and installs nothing', async () => {
      const error = await failure(INTEGRATION_ADMIN.install, { name: 'missing', config: { source: 'npm', name: '@acme/versioned', version: '9.9.9' } });
      expect(error).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('npm install @acme/versioned@9.9.9 failed') });
      await expectNothingInstalled();
    });

    async function expectNothingInstalled(): Promise<void> {
      const installs = await fs.readdir(path.join(pluginsDir, '.autoweave', 'installs')).catch(() => [] as string[]);
      const live = new Set((await data<{ items: IntegrationView[] }>(INTEGRATION_ADMIN.list, { type: 'plugin' })).items.map((i) => i.id));
      expect(installs.filter((id) => !live.has(id))).toEqual([]);
      expect(await fs.readdir(path.join(pluginsDir, '.autoweave', 'tmp')).catch(() => [])).toEqual([]);
    }
  });

  describe('the example plugin (examples/plugins/order-enricher)', () => {
    it('runs in the host as documented: prices orders in processData and from orders.created events', async () => {
      const example = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../examples/plugins/order-enricher');
      await fs.cp(example, path.join(localRoot, 'order-enricher'), { recursive: true, filter: (src) => !src.includes('node_modules') });
      const p = await install('order-enricher', { source: 'local', name: '@autoweave-examples/order-enricher', path: 'order-enricher', pluginConfig: { taxRate: 0.1 } });
      expect(p.config).toMatchObject({ version: '1.0.0', subscriptions: ['orders.created'] });
      await running(p.id);
      const order = { id: 'o-9', lines: [{ price: 10, quantity: 3 }] };
      expect(await execute(p.id, order)).toMatchObject({ ok: true, data: { body: { id: 'o-9', subtotal: 30, tax: 3, total: 33 } } });
      const bad = await execute(p.id, { id: 'o-10' });
      expect(!bad.ok && bad.error).toMatchObject({ code: 'UPSTREAM', message: expect.stringContaining('an order needs a lines array') });
      await jetstream(nc).publish(subjectFor.event('orders.created'), JSON.stringify(order));
      const enriched = await waitFor(() => eventsOf('order-enricher', 'enriched')[0], { what: 'plugins.order-enricher.enriched' });
      expect(enriched.data).toMatchObject({ id: 'o-9', total: 33 });
      await remove(p.id);
    });
  });

  describe('discovery', () => {
    it('installs a plugin the discovery service announces from the plugins folder, as a local plugin (scoped name)', async () => {
      const folder = await writePluginPackage(path.join(localRoot, 'found'), { name: '@acme/found', version: '0.3.0', code: PLUGIN_CODE.echo('0.3.0'), autoweave: { subscriptions: ['orders.*'] } });
      const announced: DiscoveredModule = {
        name: '@acme/found',
        source: 'plugin',
        sourceRef: folder,
        type: 'plugin',
        config: { source: 'local', name: '@acme/found', version: '0.3.0', path: folder, subscriptions: ['orders.*'] },
        contentHash: 'hash-found-1',
        present: true,
        subscriptions: ['orders.*'],
      };
      nc.publish(INTEGRATION_EVENTS.moduleDiscovered, JSON.stringify(announced));
      const found = await waitFor(async () => (await data<{ items: IntegrationView[] }>(INTEGRATION_ADMIN.list, { type: 'plugin' })).items.find((i) => i.name === '@acme/found'), { what: 'the discovered plugin registered' });
      expect(found.tags).toEqual(['discovered', 'plugin']);
      await running(found.id);
      expect(await execute(found.id, { found: true })).toMatchObject({ ok: true, data: { body: { version: '0.3.0' } } });
      await jetstream(nc).publish(subjectFor.event('orders.shipped'), JSON.stringify({ id: 9 }));
      await waitFor(() => eventsOf('@acme/found', 'seen').some((e) => e.data.topic === 'orders.shipped'), { what: 'event under plugins.acme-found' });
      await remove(found.id);
    });
  });
});
