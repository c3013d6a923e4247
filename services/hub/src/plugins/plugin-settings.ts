import path from 'node:path';
import type { EnvReader } from '@autoweave/service-kit';

/**
 * How this hub replica installs and runs plugins (docs/CONFIGURATION.md).
 * Without AUTOWEAVE_PLUGINS_DIR the plugin host is off: plugin integrations
 * can still be registered (as records), a replica with the host on runs them.
 */
export interface PluginSettings {
  /** The plugins folder (absolute); installs live in its `.autoweave/` sub-folder. Undefined: host off. */
  dir?: string;
  /** Local plugins must be folders under this root (absolute). Default: `dir`. */
  localRoot?: string;
  /** V8 old-space cap of each plugin process (`--max-old-space-size`). */
  memoryMb: number;
  /** Loading the package and its initialize() must finish within this. */
  startTimeoutMs: number;
  /** Default timeout of one processData call (a request's timeoutMs overrides it). */
  callTimeoutMs: number;
  /** destroy() gets this long before the process is killed. */
  stopTimeoutMs: number;
  /** Liveness ping period; a process that does not answer within it is hung and restarted. */
  pingIntervalMs: number;
  /** Restart backoff: first delay and ceiling (exponential, jittered). */
  restartInitialMs: number;
  restartMaxMs: number;
  /** A plugin lease not renewed within this is free for another replica. */
  leaseMs: number;
  /** One npm install or download. */
  installTimeoutMs: number;
  /** Largest tarball download, unpacked tarball, or local folder copy. */
  maxPackageBytes: number;
  /** npm registry for npm-sourced plugins; unset: npm's own configuration. */
  npmRegistry?: string;
}

export function loadPluginSettings(env: EnvReader): PluginSettings {
  const dir = env.optional('AUTOWEAVE_PLUGINS_DIR');
  const localRoot = env.optional('AUTOWEAVE_PLUGINS_LOCAL_ROOT') ?? dir;
  return {
    ...(dir ? { dir: path.resolve(dir) } : {}),
    ...(localRoot ? { localRoot: path.resolve(localRoot) } : {}),
    memoryMb: env.int('AUTOWEAVE_PLUGIN_MEMORY_MB', 128, { min: 16, max: 16_384 }),
    startTimeoutMs: env.int('AUTOWEAVE_PLUGIN_START_TIMEOUT_MS', 10_000, { min: 100, max: 600_000 }),
    callTimeoutMs: env.int('AUTOWEAVE_PLUGIN_CALL_TIMEOUT_MS', 10_000, { min: 10, max: 300_000 }),
    stopTimeoutMs: env.int('AUTOWEAVE_PLUGIN_STOP_TIMEOUT_MS', 5_000, { min: 10, max: 600_000 }),
    pingIntervalMs: env.int('AUTOWEAVE_PLUGIN_PING_INTERVAL_MS', 5_000, { min: 50, max: 600_000 }),
    restartInitialMs: env.int('AUTOWEAVE_PLUGIN_RESTART_INITIAL_MS', 500, { min: 10, max: 600_000 }),
    restartMaxMs: env.int('AUTOWEAVE_PLUGIN_RESTART_MAX_MS', 30_000, { min: 10, max: 3_600_000 }),
    leaseMs: env.int('AUTOWEAVE_PLUGIN_LEASE_MS', 15_000, { min: 300, max: 600_000 }),
    installTimeoutMs: env.int('AUTOWEAVE_PLUGIN_INSTALL_TIMEOUT_MS', 120_000, { min: 1_000, max: 3_600_000 }),
    maxPackageBytes: env.int('AUTOWEAVE_PLUGIN_MAX_PACKAGE_BYTES', 50 * 1024 * 1024, { min: 1024, max: 2 * 1024 * 1024 * 1024 }),
    ...(env.optional('AUTOWEAVE_PLUGINS_NPM_REGISTRY') ? { npmRegistry: env.optional('AUTOWEAVE_PLUGINS_NPM_REGISTRY') } : {}),
  };
}
