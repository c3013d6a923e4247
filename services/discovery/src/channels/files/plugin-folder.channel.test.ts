import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DiscoveredModule } from '@autoweave/contracts';
import { waitFor } from '@autoweave/testing';
import { sha256 } from './manifest.js';
import { PluginFolderChannel } from './plugin-folder.channel.js';

let root: string;
let channels: PluginFolderChannel[];

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'aw-plugins-'));
  channels = [];
});

afterEach(async () => {
  for (const c of channels) await c.stop();
  await fs.rm(root, { recursive: true, force: true });
});

function channel(): PluginFolderChannel {
  const c = new PluginFolderChannel({ dir: root, debounceMs: 50 });
  channels.push(c);
  return c;
}

async function writePackage(folder: string, pkg: unknown): Promise<string> {
  const dir = path.join(root, folder);
  await fs.mkdir(dir, { recursive: true });
  const text = typeof pkg === 'string' ? pkg : JSON.stringify(pkg, null, 2);
  await fs.writeFile(path.join(dir, 'package.json'), text);
  return text;
}

const plugin = (name: string, autoweave: Record<string, unknown> = { plugin: true }) => ({ name, version: '1.2.3', autoweave });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const byName = (mods: DiscoveredModule[], name: string) => mods.find((m) => m.name === name);

describe('PluginFolderChannel', () => {
  it('announces a folder whose package.json sets autoweave.plugin', async () => {
    const text = await writePackage('slack', plugin('slack-plugin', { plugin: true, capabilities: ['chat.post'], subscriptions: ['user.*'] }));
    const mods = await channel().scan();
    expect(mods).toEqual([
      {
        name: 'slack-plugin',
        source: 'plugin',
        sourceRef: path.join(root, 'slack'),
        type: 'plugin',
        config: { source: 'local', name: 'slack-plugin', version: '1.2.3', path: path.join(root, 'slack'), subscriptions: ['user.*'] },
        contentHash: sha256(text),
        present: true,
        capabilities: ['chat.post'],
        subscriptions: ['user.*'],
        metadata: { packageJson: path.join(root, 'slack', 'package.json') },
      },
    ]);
  });

  it.each([
    ['no autoweave field', { name: 'plain', version: '1.0.0' }],
    ['autoweave.plugin false', plugin('off', { plugin: false })],
    ['autoweave without plugin', plugin('none', { capabilities: ['x'] })],
  ])('ignores a package with %s', async (_case, pkg) => {
    await writePackage('candidate', pkg);
    await writePackage('real', plugin('real-plugin'));
    await fs.mkdir(path.join(root, 'no-package'));
    await fs.writeFile(path.join(root, 'loose-file.txt'), 'x');
    expect((await channel().scan()).map((m) => m.name)).toEqual(['real-plugin']);
  });

  it('keeps the hash for the same package.json and changes it with the content', async () => {
    const c = channel();
    await writePackage('p', plugin('p'));
    const first = (await c.scan())[0]?.contentHash;
    expect((await c.scan())[0]?.contentHash).toBe(first);
    await writePackage('p', { ...plugin('p'), version: '1.2.4' });
    const changed = (await c.scan())[0];
    expect(changed?.contentHash).not.toBe(first);
    expect(changed?.config.version).toBe('1.2.4');
  });

  it.each([
    ['the folder is removed', (dir: string) => fs.rm(dir, { recursive: true })],
    ['autoweave.plugin is unset', (dir: string) => fs.writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'gone', version: '1.0.0' }))],
  ])('reports present:false once when %s', async (_case, change) => {
    const c = channel();
    await writePackage('gone', plugin('gone'));
    await writePackage('stays', plugin('stays'));
    await c.scan();
    await change(path.join(root, 'gone'));
    const mods = await c.scan();
    expect(byName(mods, 'gone')).toMatchObject({ present: false, source: 'plugin', sourceRef: path.join(root, 'gone') });
    expect(byName(mods, 'stays')?.present).toBe(true);
    expect(byName(await c.scan(), 'gone')).toBeUndefined();
  });

  it.each([
    ['invalid JSON', '{"name": "broken", ', /invalid JSON/, 'broken-folder'],
    ['no package name', JSON.stringify({ version: '1.0.0', autoweave: { plugin: true } }), /package name is missing/, 'broken-folder'],
    ['bad capabilities', JSON.stringify({ name: 'caps', autoweave: { plugin: true, capabilities: 'x' } }), /autoweave.capabilities must be a list/, 'caps'],
  ])('a package.json with %s yields an error naming the file', async (_case, text, problem, name) => {
    await writePackage('broken-folder', text);
    const [m] = await channel().scan();
    expect(m).toMatchObject({ name, source: 'plugin', type: 'plugin', present: true, sourceRef: path.join(root, 'broken-folder') });
    expect(m?.error).toContain(path.join(root, 'broken-folder', 'package.json'));
    expect(m?.error).toMatch(problem);
  });

  it('announces manifests shipped inside a plugin package (source manifest)', async () => {
    await writePackage('crm', plugin('crm-plugin'));
    const manifest = path.join(root, 'crm', 'integrations', 'crm-api.integration.yaml');
    await fs.mkdir(path.dirname(manifest), { recursive: true });
    await fs.writeFile(manifest, 'name: crm-api\ntype: webhook\nconfig: {url: "http://crm.local/hook", events: [crm.*]}\n');
    await fs.mkdir(path.join(root, 'crm', 'node_modules', 'dep'), { recursive: true });
    await fs.writeFile(path.join(root, 'crm', 'node_modules', 'dep', 'dep.integration.yaml'), 'name: dep\ntype: webhook\nconfig: {}\n');
    // a non-plugin folder's manifests are not read
    await writePackage('other', { name: 'other' });
    await fs.writeFile(path.join(root, 'other', 'o.integration.yaml'), 'name: o\ntype: webhook\nconfig: {}\n');

    const c = channel();
    const mods = await c.scan();
    expect(mods.map((m) => [m.source, m.name]).sort()).toEqual([['manifest', 'crm-api'], ['plugin', 'crm-plugin']]);
    expect(byName(mods, 'crm-api')).toMatchObject({ type: 'webhook', sourceRef: manifest, present: true });

    await fs.rm(path.join(root, 'crm'), { recursive: true });
    const after = await c.scan();
    expect(after.map((m) => [m.source, m.name, m.present]).sort()).toEqual([['manifest', 'crm-api', false], ['plugin', 'crm-plugin', false]]);
  });

  it('notices a new plugin folder through the watcher', async () => {
    const c = channel();
    const seen: DiscoveredModule[] = [];
    await c.start((m) => seen.push(m));
    await fs.mkdir(path.join(root, 'fresh'));
    await sleep(150); // the new folder is noticed (and watched) before package.json lands in it
    await writePackage('fresh', plugin('fresh-plugin'));
    await waitFor(() => seen.find((m) => m.name === 'fresh-plugin' && m.present), { timeoutMs: 5000, what: 'the new plugin' });
  });
});
