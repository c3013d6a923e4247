import { AppError, PluginConfigDto, pluginToken, validateDto } from '@autoweave/contracts';
import type { PluginInstaller } from '../install/plugin-installer.js';

type Config = Record<string, unknown>;

export interface PluginRegistrationDeps {
  installer: PluginInstaller;
  /** Plugin integrations as the registry has them now (id, name). */
  plugins: () => Array<{ id: string; name: string }>;
}

export interface PreparedConfig {
  config: Config;
  /** Removes what preparing installed, when the registry write that follows fails. */
  undo?: () => Promise<void>;
}

/**
 * What registering (or updating) a plugin integration does before the record
 * is written: the topic namespace must be its own, and on a replica with the
 * plugin host on, the package is installed now, so a bad source fails the
 * request with its reason, and the config is pinned to what was installed:
 * the package version, its integrity (npm: from npm's lockfile), and the
 * subscriptions the package declares when the config names none.
 */
export class PluginRegistration {
  constructor(private readonly deps: PluginRegistrationDeps) {}

  async prepare(incoming: Config, target: { id: string; name: string; previous?: Config }): Promise<PreparedConfig> {
    this.checkNamespace(target);
    const raw = withoutStaleIntegrity(incoming, target.previous);
    if (!this.deps.installer.enabled) return { config: raw };
    const config = await validateDto(PluginConfigDto, raw, 'config');
    const { installer } = this.deps;
    const { installed, created } = await installer.install(target.id, config);
    const undo = created ? () => installer.remove(target.id, installed.key) : undefined;
    try {
      const pinned: Config = {
        ...raw,
        ...(installed.manifest.version ? { version: installed.manifest.version } : {}),
        ...(installed.integrity ? { integrity: installed.integrity } : {}),
        ...(raw.subscriptions === undefined && installed.manifest.subscriptions ? { subscriptions: installed.manifest.subscriptions } : {}),
      };
      const checked = await validateDto(PluginConfigDto, pinned, 'config');
      if (created) await installer.rekey(target.id, installed.key, installer.installKey(checked));
      const key = installer.installKey(checked);
      return { config: pinned, ...(created ? { undo: () => installer.remove(target.id, key) } : {}) };
    } catch (err) {
      await undo?.();
      throw err;
    }
  }

  /** Two plugins may not share a topic namespace (`plugins.<token>`), or one could publish as the other. */
  private checkNamespace(target: { id: string; name: string }): void {
    const token = pluginToken(target.name);
    const clash = this.deps.plugins().find((p) => p.id !== target.id && pluginToken(p.name) === token);
    if (clash) {
      throw new AppError('CONFLICT', `the plugin "${clash.name}" already uses the topic namespace plugins.${token}; choose another name`, { field: 'name' });
    }
  }
}

/**
 * An npm update read back and edited (GET, change the version, PUT) still
 * carries the integrity recorded for the old version: that one is the hub's
 * record, not the caller's claim about the new version, so it is dropped.
 */
function withoutStaleIntegrity(incoming: Config, previous: Config | undefined): Config {
  if (!previous || incoming.source !== 'npm' || incoming.integrity === undefined || incoming.integrity !== previous.integrity) return incoming;
  if (incoming.name === previous.name && incoming.version === previous.version) return incoming;
  const { integrity: _stale, ...rest } = incoming;
  return rest;
}
