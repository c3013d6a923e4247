import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DiscoveredModule } from '@autoweave/contracts';
import { FileStateChannel, type Snapshot } from './file-state-channel.js';
import { isInside, isPlainObject, readManifestFile, sha256, walkManifestFiles, type FilesLogger } from './manifest.js';

export interface PluginFolderChannelOptions {
  /** The plugins folder: each direct sub-folder is a candidate plugin package. */
  dir: string;
  logger?: FilesLogger;
  /** While started, re-read the folder this often and announce changes, besides fs.watch. Default 0 (the registry's periodic scan() covers it). */
  rescanIntervalMs?: number;
  /** Quiet time after a file system event before re-reading. Default 200 ms. */
  debounceMs?: number;
}

const MAX_PACKAGE_JSON_BYTES = 1024 * 1024;

/**
 * Channel 5, plugin scanning: each direct sub-folder of `dir` whose package.json has a truthy
 * `autoweave.plugin` is announced as a `plugin` integration (source 'local', path = the folder).
 * `*.integration.yaml|yml|json` manifests inside such a plugin package are announced too, with
 * source 'manifest'. A package.json that cannot be parsed yields a module with `error`; a plugin
 * folder that disappears (or stops being a plugin) yields present:false.
 */
export class PluginFolderChannel extends FileStateChannel {
  readonly source = 'plugin' as const;
  private readonly dir: string;

  constructor(options: PluginFolderChannelOptions) {
    super(options);
    this.dir = path.resolve(options.dir);
  }

  protected async collect(): Promise<Snapshot> {
    const modules: DiscoveredModule[] = [];
    const watchDirs: string[] = [];
    let realRoot: string;
    let entries;
    try {
      realRoot = await fs.realpath(this.dir);
      entries = await fs.readdir(this.dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.logger?.warn(`cannot read plugins folder ${this.dir}: ${(err as Error).message}`);
      return { modules, watchDirs };
    }
    watchDirs.push(this.dir);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const folder = path.join(this.dir, entry.name);
      if (!(await this.isPluginCandidate(entry, folder, realRoot))) continue;
      watchDirs.push(folder);
      const plugin = await this.readPlugin(folder);
      if (!plugin) continue;
      modules.push(plugin);
      if (plugin.error) continue;
      // Manifests shipped inside the plugin package.
      const { files, dirs } = await walkManifestFiles(folder, this.logger);
      watchDirs.push(...dirs.filter((d) => d !== folder));
      for (const file of files) {
        const m = await readManifestFile(file, { source: 'manifest', fallbackName: this.lastNameOf(file) });
        if (m) modules.push(m);
      }
    }
    return { modules, watchDirs };
  }

  /** A direct sub-folder, or a symlink to a folder inside the plugins folder. */
  private async isPluginCandidate(entry: { isDirectory(): boolean; isSymbolicLink(): boolean }, folder: string, realRoot: string): Promise<boolean> {
    if (entry.isDirectory()) return true;
    if (!entry.isSymbolicLink()) return false;
    const target = await fs.realpath(folder).catch(() => undefined);
    if (!target || !isInside(realRoot, target)) return false;
    return (await fs.stat(target).catch(() => undefined))?.isDirectory() ?? false;
  }

  /** The plugin module of one folder; undefined when the folder is not an AutoWeave plugin. */
  private async readPlugin(folder: string): Promise<DiscoveredModule | undefined> {
    const file = path.join(folder, 'package.json');
    let raw: Buffer;
    try {
      const stat = await fs.stat(file);
      if (!stat.isFile()) return undefined;
      if (stat.size > MAX_PACKAGE_JSON_BYTES) return this.failed(folder, sha256(`${stat.size}`), `${file}: package.json is larger than ${MAX_PACKAGE_JSON_BYTES} bytes`);
      raw = await fs.readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      return this.failed(folder, sha256(''), `${file}: cannot read: ${(err as Error).message}`);
    }
    const contentHash = sha256(raw);
    let pkg: unknown;
    try {
      pkg = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      return this.failed(folder, contentHash, `${file}: invalid JSON: ${(err as Error).message}`);
    }
    if (!isPlainObject(pkg)) return this.failed(folder, contentHash, `${file}: package.json must be an object`);
    const autoweave = pkg.autoweave;
    if (!isPlainObject(autoweave) || !autoweave.plugin) return undefined;

    const problems: string[] = [];
    if (typeof pkg.name !== 'string' || pkg.name.trim() === '') problems.push('package name is missing');
    if (pkg.version !== undefined && typeof pkg.version !== 'string') problems.push('version must be a string');
    const capabilities = autoweave.capabilities;
    const subscriptions = autoweave.subscriptions;
    if (capabilities !== undefined && !isStringList(capabilities)) problems.push('autoweave.capabilities must be a list of strings');
    if (subscriptions !== undefined && !isStringList(subscriptions)) problems.push('autoweave.subscriptions must be a list of strings');
    if (problems.length > 0) {
      const name = typeof pkg.name === 'string' && pkg.name.trim() !== '' ? pkg.name.trim() : undefined;
      return this.failed(folder, contentHash, `${file}: ${problems.join('; ')}`, name);
    }

    const name = (pkg.name as string).trim();
    return {
      name,
      source: 'plugin',
      sourceRef: folder,
      type: 'plugin',
      config: {
        source: 'local',
        name,
        ...(typeof pkg.version === 'string' ? { version: pkg.version } : {}),
        path: folder,
        ...(isStringList(subscriptions) ? { subscriptions } : {}),
      },
      contentHash,
      present: true,
      ...(isStringList(capabilities) ? { capabilities } : {}),
      ...(isStringList(subscriptions) ? { subscriptions } : {}),
      metadata: {
        packageJson: file,
        ...(typeof pkg.description === 'string' ? { description: pkg.description } : {}),
      },
    };
  }

  private failed(folder: string, contentHash: string, error: string, name?: string): DiscoveredModule {
    return {
      name: name ?? this.lastNameOf(folder) ?? path.basename(folder),
      source: 'plugin',
      sourceRef: folder,
      type: 'plugin',
      config: {},
      contentHash,
      present: true,
      error,
    };
  }
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}
