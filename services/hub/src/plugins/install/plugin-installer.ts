import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError, type PluginConfigDto } from '@autoweave/contracts';
import type { OutboundPolicy } from '@autoweave/resilience';
import type { Logger } from '@autoweave/observability';
import type { PluginSettings } from '../plugin-settings.js';
import { downloadTarball } from './download.js';
import { copyLocalFolder, resolveLocalFolder } from './local-copy.js';
import { npmInstall } from './npm-install.js';
import { readPluginManifest, type PluginManifest } from './package-manifest.js';
import { sameIntegrity, sha512Integrity } from './sri.js';
import { scanTarball } from './tarball.js';

/** A plugin package on this replica's disk, ready to run. */
export interface InstalledPlugin {
  key: string;
  /** The install folder: all the plugin process may read (the package and its dependencies). */
  root: string;
  packageDir: string;
  manifest: PluginManifest;
  /** sha512 SRI of the package (npm: from npm's lockfile; url: of the tarball). */
  integrity?: string;
}

export interface PluginInstallerDeps {
  settings: PluginSettings;
  policy: OutboundPolicy;
  logger: Logger;
}

const MARKER = 'autoweave-install.json';

interface Marker {
  key: string;
  packageDir: string;
  integrity?: string;
  installedAt: string;
}

/**
 * Puts plugin packages on disk: `<plugins dir>/.autoweave/installs/<integration id>/<key>`,
 * where the key names the package's identity (npm name@version, the url
 * tarball's integrity, a local folder and version). Every install is made in
 * a temporary folder and renamed into place only once it passed every check,
 * so a failed install leaves nothing behind, and a folder that exists is
 * complete. Installs are a per-replica cache of what the registry records: a
 * replica that runs a plugin it has not installed installs it the same way.
 */
export class PluginInstaller {
  private readonly inFlight = new Map<string, Promise<{ installed: InstalledPlugin; created: boolean }>>();

  constructor(private readonly deps: PluginInstallerDeps) {}

  get enabled(): boolean {
    return this.deps.settings.dir !== undefined;
  }

  /** The package's identity as a folder name. */
  installKey(config: PluginConfigDto): string {
    const identity =
      config.source === 'npm' ? `npm:${config.name}@${config.version}` :
      config.source === 'url' ? `url:${config.integrity}` :
      `local:${config.path}@${config.version ?? ''}`;
    return createHash('sha256').update(identity).digest('hex').slice(0, 20);
  }

  /**
   * Installs (or finds installed) the package a config names, checking that
   * it is the package the config says: name, version, integrity. `created`
   * says whether this call put it there (an undo may remove it).
   */
  install(integrationId: string, config: PluginConfigDto): Promise<{ installed: InstalledPlugin; created: boolean }> {
    const target = this.targetOf(integrationId, this.installKey(config));
    const running = this.inFlight.get(target);
    if (running) return running;
    const work = this.installAt(target, config).finally(() => this.inFlight.delete(target));
    this.inFlight.set(target, work);
    return work;
  }

  /** Removes every installed version of an integration's plugin. */
  async uninstall(integrationId: string): Promise<void> {
    if (!this.enabled) return;
    await fs.rm(this.integrationDir(integrationId), { recursive: true, force: true });
  }

  /** Removes one installed version (an undone registration or an update that replaced it). */
  async remove(integrationId: string, key: string): Promise<void> {
    await fs.rm(this.targetOf(integrationId, key), { recursive: true, force: true });
    await fs.rmdir(this.integrationDir(integrationId)).catch(() => undefined); // only if nothing else is installed for it
  }

  /**
   * Files an install under another key (a registration learned the version
   * only from the package, which changes a local plugin's key). Keeps the
   * existing one if the new key is taken already.
   */
  async rekey(integrationId: string, from: string, to: string): Promise<void> {
    if (from === to) return;
    const target = this.targetOf(integrationId, to);
    if (await this.readInstalled(target)) return this.remove(integrationId, from);
    await fs.rename(this.targetOf(integrationId, from), target);
    const marker = JSON.parse(await fs.readFile(path.join(target, MARKER), 'utf8')) as Marker;
    await fs.writeFile(path.join(target, MARKER), JSON.stringify({ ...marker, key: to }));
  }

  /** Removes the installed versions of an integration other than `keep`. */
  async removeOthers(integrationId: string, keep: readonly string[]): Promise<void> {
    const entries = await fs.readdir(this.integrationDir(integrationId)).catch(() => [] as string[]);
    await Promise.all(entries.filter((k) => !keep.includes(k)).map((k) => this.remove(integrationId, k)));
  }

  /**
   * Removes installs of integrations that no longer exist (deleted while this
   * replica was down). Folders younger than `minAgeMs` stay: another replica
   * sharing the folder may be registering that integration right now.
   */
  async removeOrphans(known: ReadonlySet<string>, minAgeMs: number): Promise<void> {
    if (!this.enabled) return;
    const dir = this.installsDir();
    for (const id of await fs.readdir(dir).catch(() => [] as string[])) {
      if (known.has(id)) continue;
      const stat = await fs.stat(path.join(dir, id)).catch(() => undefined);
      if (stat && Date.now() - stat.mtimeMs >= minAgeMs) await fs.rm(path.join(dir, id), { recursive: true, force: true });
    }
    const tmp = path.join(this.stateDir(), 'tmp');
    for (const name of await fs.readdir(tmp).catch(() => [] as string[])) {
      const stat = await fs.stat(path.join(tmp, name)).catch(() => undefined);
      if (stat && Date.now() - stat.mtimeMs >= Math.max(minAgeMs, this.deps.settings.installTimeoutMs)) await fs.rm(path.join(tmp, name), { recursive: true, force: true });
    }
  }

  private async installAt(target: string, config: PluginConfigDto): Promise<{ installed: InstalledPlugin; created: boolean }> {
    const existing = await this.readInstalled(target);
    if (existing) return { installed: existing, created: false };
    const temp = await this.tempDir();
    try {
      const made = await this.fetchInto(temp, config);
      const manifest = await readPluginManifest(made.packageDir);
      checkIdentity(config, manifest, made.integrity);
      const marker: Marker = {
        key: path.basename(target),
        packageDir: path.relative(temp, made.packageDir),
        ...(made.integrity ? { integrity: made.integrity } : {}),
        installedAt: new Date().toISOString(),
      };
      await fs.writeFile(path.join(temp, MARKER), JSON.stringify(marker));
      await fs.mkdir(path.dirname(target), { recursive: true });
      try {
        await fs.rename(temp, target);
      } catch (err) {
        // Another install of the same package won the race: use it.
        const raced = await this.readInstalled(target);
        if (raced) return { installed: raced, created: false };
        throw err;
      }
      this.deps.logger.info({ plugin: config.name, source: config.source, version: manifest.version, dir: target }, 'plugin installed');
      const installed = await this.readInstalled(target);
      if (!installed) throw new AppError('INTERNAL', 'the plugin install vanished right after it was made');
      return { installed, created: true };
    } finally {
      await fs.rm(temp, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** Fetches the package into `temp` by its source; returns its folder there. */
  private async fetchInto(temp: string, config: PluginConfigDto): Promise<{ packageDir: string; integrity?: string }> {
    const { settings } = this.deps;
    switch (config.source) {
      case 'npm': {
        const done = await npmInstall(config.name, { prefix: temp, spec: `${config.name}@${config.version}`, ...this.npmOptions() });
        if (config.integrity && done.integrity && !sameIntegrity(config.integrity, done.integrity)) {
          throw new AppError('VALIDATION', `integrity mismatch: npm installed ${config.name}@${config.version} with ${done.integrity}, config.integrity is ${config.integrity}`, { field: 'config.integrity' });
        }
        return done;
      }
      case 'url': {
        const tarball = await downloadTarball(config.url!, { policy: this.deps.policy, maxBytes: settings.maxPackageBytes, timeoutMs: settings.installTimeoutMs });
        const integrity = sha512Integrity(tarball);
        if (!config.integrity || !sameIntegrity(config.integrity, integrity)) {
          throw new AppError('VALIDATION', `integrity mismatch: the tarball downloaded is ${integrity}, config.integrity is ${config.integrity ?? '(none)'}`, { field: 'config.integrity' });
        }
        scanTarball(tarball, { maxBytes: settings.maxPackageBytes });
        const file = path.join(temp, 'package.tgz');
        await fs.writeFile(file, tarball);
        const done = await npmInstall(config.name, { prefix: temp, spec: file, ...this.npmOptions() });
        await fs.rm(file, { force: true });
        return { packageDir: done.packageDir, integrity };
      }
      case 'local': {
        if (!settings.localRoot) throw new AppError('UNAVAILABLE', 'local plugins are off on this hub (set AUTOWEAVE_PLUGINS_LOCAL_ROOT or AUTOWEAVE_PLUGINS_DIR)');
        const folder = await resolveLocalFolder(settings.localRoot, config.path!);
        const packageDir = path.join(temp, 'package');
        await copyLocalFolder(folder, packageDir, settings.localRoot, { maxBytes: settings.maxPackageBytes });
        return { packageDir };
      }
      default:
        throw new AppError('VALIDATION', `config.source must be npm, url or local`, { field: 'config.source' });
    }
  }

  private npmOptions(): { cacheDir: string; timeoutMs: number; registry?: string } {
    const { settings } = this.deps;
    return { cacheDir: path.join(this.stateDir(), 'npm-cache'), timeoutMs: settings.installTimeoutMs, ...(settings.npmRegistry ? { registry: settings.npmRegistry } : {}) };
  }

  private async readInstalled(target: string): Promise<InstalledPlugin | undefined> {
    let marker: Marker;
    try {
      marker = JSON.parse(await fs.readFile(path.join(target, MARKER), 'utf8')) as Marker;
    } catch {
      return undefined;
    }
    const packageDir = path.join(target, marker.packageDir);
    return { key: marker.key, root: target, packageDir, manifest: await readPluginManifest(packageDir), ...(marker.integrity ? { integrity: marker.integrity } : {}) };
  }

  private async tempDir(): Promise<string> {
    const tmp = path.join(this.stateDir(), 'tmp');
    await fs.mkdir(tmp, { recursive: true });
    const dir = path.join(tmp, `install-${randomBytes(6).toString('hex')}`);
    await fs.mkdir(dir);
    return dir;
  }

  private stateDir(): string {
    const dir = this.deps.settings.dir;
    if (!dir) throw new AppError('UNAVAILABLE', 'plugins are off on this hub replica (AUTOWEAVE_PLUGINS_DIR is not set)');
    return path.join(dir, '.autoweave');
  }

  private installsDir(): string {
    return path.join(this.stateDir(), 'installs');
  }

  private integrationDir(integrationId: string): string {
    if (!/^[A-Za-z0-9_-]+$/.test(integrationId)) throw new AppError('VALIDATION', 'invalid integration id');
    return path.join(this.installsDir(), integrationId);
  }

  private targetOf(integrationId: string, key: string): string {
    return path.join(this.integrationDir(integrationId), key);
  }
}

/** The package must be the one the config names. */
function checkIdentity(config: PluginConfigDto, manifest: PluginManifest, integrity: string | undefined): void {
  if (manifest.name !== config.name) {
    throw new AppError('VALIDATION', `config.name is "${config.name}" but the package is "${manifest.name}"`, { field: 'config.name' });
  }
  if (config.version && manifest.version && manifest.version !== config.version) {
    throw new AppError('VALIDATION', `config.version is ${config.version} but the package is version ${manifest.version}`, { field: 'config.version' });
  }
  if (config.source === 'url' && !integrity) throw new AppError('INTERNAL', 'a url install without its integrity');
}
