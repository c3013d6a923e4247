import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DiscoveredModule } from '@autoweave/contracts';
import { waitFor } from '@autoweave/testing';
import { ManifestFilesChannel } from './manifest-files.channel.js';

const OPENAPI_YAML = `name: billing
type: openapi
description: Billing API
tags: [finance]
capabilities: [invoices.read]
subscriptions: [order.created]
config:
  openAPIUrl: http://billing.local/openapi.json
  baseUrl: http://billing.local
`;

let root: string;
let channels: ManifestFilesChannel[];

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'aw-manifests-'));
  channels = [];
});

afterEach(async () => {
  for (const c of channels) await c.stop();
  await fs.rm(root, { recursive: true, force: true });
});

function channel(dirs = [root]): ManifestFilesChannel {
  const c = new ManifestFilesChannel({ dirs, rescanIntervalMs: 0, debounceMs: 50 });
  channels.push(c);
  return c;
}

async function write(rel: string, content: string): Promise<string> {
  const file = path.join(root, rel);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
  return file;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const byName = (mods: DiscoveredModule[], name: string) => mods.find((m) => m.name === name);

describe('ManifestFilesChannel.scan', () => {
  it('finds a new manifest with its declared shape', async () => {
    const c = channel();
    expect(await c.scan()).toEqual([]);
    const file = await write('billing.integration.yaml', OPENAPI_YAML);

    const [m, ...rest] = await c.scan();
    expect(rest).toEqual([]);
    expect(m).toMatchObject({
      name: 'billing',
      source: 'manifest',
      sourceRef: file,
      type: 'openapi',
      present: true,
      config: { openAPIUrl: 'http://billing.local/openapi.json', baseUrl: 'http://billing.local' },
      capabilities: ['invoices.read'],
      subscriptions: ['order.created'],
      metadata: { description: 'Billing API', tags: ['finance'] },
    });
    expect(m?.error).toBeUndefined();
    expect(m?.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['yaml', 'a.integration.yaml', 'name: a\ntype: webhook\nconfig: {url: "http://x.local/h", events: [user.*]}\n'],
    ['yml', 'nested/deep/a.integration.yml', 'name: a\ntype: database\nconfig: {dbType: postgres, connectionString: "postgres://u@h/db"}\n'],
    ['json', 'a.integration.json', JSON.stringify({ name: 'a', type: 'plugin', config: { source: 'npm', name: 'x', version: '1.0.0' } })],
  ])('reads %s manifests (recursively)', async (_ext, rel, content) => {
    const file = await write(rel, content);
    const mods = await channel().scan();
    expect(mods).toHaveLength(1);
    expect(mods[0]).toMatchObject({ name: 'a', sourceRef: file, present: true });
    expect(mods[0]?.error).toBeUndefined();
  });

  it('ignores other files, node_modules and symlinks leading outside the folder', async () => {
    await write('readme.yaml', 'name: x\n');
    await write('node_modules/pkg/hidden.integration.yaml', 'name: hidden\ntype: webhook\nconfig: {}\n');
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'aw-outside-'));
    try {
      await fs.writeFile(path.join(outside, 'evil.integration.yaml'), 'name: evil\ntype: webhook\nconfig: {}\n');
      await fs.symlink(outside, path.join(root, 'linked-dir'));
      await fs.symlink(path.join(outside, 'evil.integration.yaml'), path.join(root, 'evil.integration.yaml'));
      await write('inside/ok.integration.yaml', 'name: ok\ntype: webhook\nconfig: {}\n');
      await fs.symlink(path.join(root, 'inside'), path.join(root, 'loop-inside'));
      const mods = await channel().scan();
      expect(mods.map((m) => m.name)).toEqual(['ok']);
    } finally {
      await fs.rm(outside, { recursive: true, force: true });
    }
  });

  it('keeps the hash while the content is unchanged and changes it with the content', async () => {
    const c = channel();
    await write('billing.integration.yaml', OPENAPI_YAML);
    const first = byName(await c.scan(), 'billing');
    const again = byName(await c.scan(), 'billing');
    expect(again?.contentHash).toBe(first?.contentHash);

    await write('billing.integration.yaml', OPENAPI_YAML.replace('Billing API', 'Billing API v2'));
    const changed = byName(await c.scan(), 'billing');
    expect(changed?.contentHash).not.toBe(first?.contentHash);
    expect(changed?.metadata?.description).toBe('Billing API v2');
  });

  it('reports a removed file once as present:false', async () => {
    const c = channel();
    const file = await write('billing.integration.yaml', OPENAPI_YAML);
    await write('other.integration.yaml', 'name: other\ntype: webhook\nconfig: {}\n');
    await c.scan();
    await fs.rm(file);

    const after = await c.scan();
    expect(byName(after, 'billing')).toMatchObject({ present: false, sourceRef: file, type: 'openapi' });
    expect(byName(after, 'other')?.present).toBe(true);
    expect(byName(await c.scan(), 'billing')).toBeUndefined();
  });

  it('reports present:false for the old name when a manifest is renamed inside', async () => {
    const c = channel();
    await write('svc.integration.yaml', 'name: old-name\ntype: webhook\nconfig: {}\n');
    await c.scan();
    await write('svc.integration.yaml', 'name: new-name\ntype: webhook\nconfig: {}\n');
    const mods = await c.scan();
    expect(byName(mods, 'old-name')?.present).toBe(false);
    expect(byName(mods, 'new-name')?.present).toBe(true);
  });

  it('does not report a module gone when it only moved to another file', async () => {
    const c = channel();
    const a = await write('a.integration.yaml', 'name: moving\ntype: webhook\nconfig: {}\n');
    await c.scan();
    await fs.rename(a, path.join(root, 'b.integration.yaml'));
    const mods = await c.scan();
    expect(mods).toHaveLength(1);
    expect(mods[0]).toMatchObject({ name: 'moving', present: true, sourceRef: path.join(root, 'b.integration.yaml') });
  });

  it.each([
    ['bad YAML', 'bad.integration.yaml', 'name: x\ntype: [unclosed\n', /invalid YAML/],
    ['bad JSON', 'bad.integration.json', '{"name": "x",', /invalid JSON/],
    ['missing type', 'bad.integration.yaml', 'name: x\nconfig: {}\n', /type is missing/],
    ['unknown type', 'bad.integration.yaml', 'name: x\ntype: ftp\nconfig: {}\n', /type must be one of/],
    ['missing name', 'bad.integration.yaml', 'type: webhook\nconfig: {}\n', /name is missing/],
    ['config not an object', 'bad.integration.yaml', 'name: x\ntype: webhook\nconfig: [1]\n', /config must be an object/],
    ['capabilities not strings', 'bad.integration.yaml', 'name: x\ntype: webhook\nconfig: {}\ncapabilities: [1]\n', /capabilities must be a list of strings/],
    ['not a mapping', 'bad.integration.yaml', '- 1\n- 2\n', /must be a mapping/],
  ])('%s yields an error naming the file', async (_case, rel, content, problem) => {
    const file = await write(rel, content);
    await write('good.integration.yaml', 'name: good\ntype: webhook\nconfig: {}\n');
    const mods = await channel().scan();
    const bad = mods.find((m) => m.sourceRef === file);
    expect(bad?.error).toContain(file);
    expect(bad?.error).toMatch(problem);
    expect(bad?.present).toBe(true);
    expect(bad?.config).toEqual({});
    expect(byName(mods, 'good')?.error).toBeUndefined();
  });

  it('keeps a manifest that breaks under its previous name', async () => {
    const c = channel();
    await write('svc.integration.yaml', 'name: svc-a\ntype: webhook\nconfig: {}\n');
    await c.scan();
    await write('svc.integration.yaml', 'name: [broken\n');
    const mods = await c.scan();
    expect(mods).toHaveLength(1);
    expect(mods[0]).toMatchObject({ name: 'svc-a', present: true });
    expect(mods[0]?.error).toMatch(/invalid YAML/);
  });

  describe('openAPISpecFile', () => {
    const spec = { openapi: '3.0.3', info: { title: 'Pets', version: '1' }, paths: {} };

    it.each([
      ['JSON', 'specs/pets.json', JSON.stringify(spec)],
      ['YAML', 'specs/pets.yaml', 'openapi: 3.0.3\ninfo: {title: Pets, version: "1"}\npaths: {}\n'],
    ])('inlines a %s spec file relative to the manifest', async (_kind, specRel, specText) => {
      await write(path.join('pets', specRel), specText);
      await write('pets/pets.integration.yaml', `name: pets\ntype: openapi\nconfig:\n  openAPISpecFile: ${specRel}\n  baseUrl: http://pets.local\n`);
      const [m] = await channel().scan();
      expect(m?.error).toBeUndefined();
      expect(m?.config).toEqual({ openAPISpec: spec, baseUrl: 'http://pets.local' });
    });

    it('changes the hash when only the spec file changes', async () => {
      const c = channel();
      await write('specs/pets.json', JSON.stringify(spec));
      await write('pets.integration.yaml', 'name: pets\ntype: openapi\nconfig: {openAPISpecFile: specs/pets.json}\n');
      const before = (await c.scan())[0]?.contentHash;
      await write('specs/pets.json', JSON.stringify({ ...spec, info: { title: 'Pets', version: '2' } }));
      const after = (await c.scan())[0];
      expect(after?.contentHash).not.toBe(before);
      expect((after?.config.openAPISpec as typeof spec).info.version).toBe('2');
    });

    it.each([
      ['a parent path', '../secret.json', /inside the manifest's folder/],
      ['an absolute path', '/etc/hostname', /inside the manifest's folder/],
      ['a symlink leading out', 'link.json', /links outside/],
      ['a missing file', 'nope.json', /does not exist/],
      ['an invalid spec', 'broken.yaml', /not valid YAML/],
    ])('refuses %s', async (_case, ref, problem) => {
      await write('secret.json', JSON.stringify(spec));
      await write('m/broken.yaml', 'openapi: [\n');
      await fs.symlink(path.join(root, 'secret.json'), path.join(root, 'm', 'link.json'));
      const file = await write('m/x.integration.yaml', `name: x\ntype: openapi\nconfig: {openAPISpecFile: "${ref}"}\n`);
      const [m] = await channel([path.join(root, 'm')]).scan();
      expect(m?.name).toBe('x');
      expect(m?.error).toContain(file);
      expect(m?.error).toMatch(problem);
      expect(m?.config).toEqual({});
    });
  });
});

describe('ManifestFilesChannel watching', () => {
  it('announces new, changed and removed files without scan()', async () => {
    const c = channel();
    const seen: DiscoveredModule[] = [];
    await c.start((m) => seen.push(m));
    expect(seen).toEqual([]);

    const file = await write('live.integration.yaml', 'name: live\ntype: webhook\nconfig: {url: "http://a.local"}\n');
    const created = await waitFor(() => seen.find((m) => m.name === 'live' && m.present), { timeoutMs: 5000, what: 'the new manifest' });
    expect(created.sourceRef).toBe(file);

    await write('live.integration.yaml', 'name: live\ntype: webhook\nconfig: {url: "http://b.local"}\n');
    const changed = await waitFor(() => seen.find((m) => m.name === 'live' && m.config.url === 'http://b.local'), { timeoutMs: 5000, what: 'the change' });
    expect(changed.contentHash).not.toBe(created.contentHash);
    // touching the file without changing it announces nothing new
    await write('live.integration.yaml', 'name: live\ntype: webhook\nconfig: {url: "http://b.local"}\n');
    await sleep(300);
    expect(seen.filter((m) => m.name === 'live').map((m) => m.contentHash)).toEqual([created.contentHash, changed.contentHash]);

    await fs.rm(file);
    await waitFor(() => seen.find((m) => m.name === 'live' && !m.present), { timeoutMs: 5000, what: 'the removal' });

    // The removal noticed by the watcher is still reported by the next scan, once.
    expect(byName(await c.scan(), 'live')?.present).toBe(false);
    expect(await c.scan()).toEqual([]);
  });

  it('picks up manifests in a folder created after start', async () => {
    const c = channel();
    const seen: DiscoveredModule[] = [];
    await c.start((m) => seen.push(m));
    await fs.mkdir(path.join(root, 'later'));
    await sleep(150); // the new folder is noticed (and watched) before the file lands in it
    await write('later/late.integration.yaml', 'name: late\ntype: webhook\nconfig: {}\n');
    await waitFor(() => seen.find((m) => m.name === 'late'), { timeoutMs: 5000, what: 'the manifest in a new folder' });
  });

  it('announces nothing more after stop()', async () => {
    const c = channel();
    const seen: DiscoveredModule[] = [];
    await c.start((m) => seen.push(m));
    await c.stop();
    await write('after.integration.yaml', 'name: after\ntype: webhook\nconfig: {}\n');
    await sleep(300);
    expect(seen).toEqual([]);
  });

  it('announces through the periodic rescan when watching misses something', async () => {
    const missing = path.join(root, 'not-yet');
    const c = new ManifestFilesChannel({ dirs: [missing], rescanIntervalMs: 100 });
    channels.push(c);
    const seen: DiscoveredModule[] = [];
    await c.start((m) => seen.push(m));
    await write('not-yet/x.integration.yaml', 'name: x\ntype: webhook\nconfig: {}\n');
    await waitFor(() => seen.find((m) => m.name === 'x'), { timeoutMs: 5000, what: 'the rescan' });
  });
});
