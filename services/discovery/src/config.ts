import { DISCOVERY_SOURCES, type DiscoverySource } from '@autoweave/contracts';
import { ConfigError, type BaseConfig, type EnvReader } from '@autoweave/service-kit';

/**
 * Discovery settings (on top of the kit's base settings).
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | AUTOWEAVE_DISCOVERY_SCAN_INTERVAL_MS | 30000 | periodic scan of every enabled channel |
 * | AUTOWEAVE_DISCOVERY_CHANNELS | all | comma list of sources: service,nats-micro,openapi-probe,manifest,plugin |
 * | AUTOWEAVE_DISCOVERY_PROBE_PATHS | /openapi.json,/openapi.yaml,/v3/api-docs,/swagger.json,/api-docs | paths probed, in order |
 * | AUTOWEAVE_DISCOVERY_PROBE_TIMEOUT_MS | 2000 | timeout of one spec fetch or probe |
 * | AUTOWEAVE_DISCOVERY_SERVICE_TTL_MS | (none) | registered service gone after this; unset: 3 x its healthCheck.interval, else 90000 |
 * | AUTOWEAVE_DISCOVERY_MICRO_WAIT_MS | 500 | how long a $SRV.PING/$SRV.INFO round collects answers |
 * | AUTOWEAVE_DISCOVERY_MANIFEST_DIRS | (none) | comma list of folders with *.integration.yaml/json |
 * | AUTOWEAVE_PLUGINS_DIR | (none) | folder of plugin packages |
 */
export interface DiscoveryConfig extends BaseConfig {
  scanIntervalMs: number;
  channels: DiscoverySource[];
  probePaths: string[];
  probeTimeoutMs: number;
  /** Fixed TTL for registered services; undefined: 3 x healthCheck.interval, else defaultServiceTtlMs. */
  serviceTtlMs?: number;
  defaultServiceTtlMs: number;
  microWaitMs: number;
  manifestDirs: string[];
  pluginsDir?: string;
}

export const DEFAULT_PROBE_PATHS = ['/openapi.json', '/openapi.yaml', '/v3/api-docs', '/swagger.json', '/api-docs'];

export function loadDiscoveryConfig(env: EnvReader, base: BaseConfig): DiscoveryConfig {
  const channels = env.list('AUTOWEAVE_DISCOVERY_CHANNELS', [...DISCOVERY_SOURCES]);
  for (const c of channels) {
    if (!(DISCOVERY_SOURCES as readonly string[]).includes(c)) {
      throw new ConfigError(`AUTOWEAVE_DISCOVERY_CHANNELS: unknown channel "${c}" (known: ${DISCOVERY_SOURCES.join(', ')})`);
    }
  }
  const probePaths = env.list('AUTOWEAVE_DISCOVERY_PROBE_PATHS', DEFAULT_PROBE_PATHS);
  for (const p of probePaths) {
    if (!p.startsWith('/')) throw new ConfigError(`AUTOWEAVE_DISCOVERY_PROBE_PATHS: "${p}" must start with /`);
  }
  const ttl = env.optional('AUTOWEAVE_DISCOVERY_SERVICE_TTL_MS');
  return {
    ...base,
    scanIntervalMs: env.int('AUTOWEAVE_DISCOVERY_SCAN_INTERVAL_MS', 30_000, { min: 50, max: 86_400_000 }),
    channels: channels as DiscoverySource[],
    probePaths,
    probeTimeoutMs: env.int('AUTOWEAVE_DISCOVERY_PROBE_TIMEOUT_MS', 2_000, { min: 10, max: 120_000 }),
    serviceTtlMs: ttl === undefined ? undefined : env.int('AUTOWEAVE_DISCOVERY_SERVICE_TTL_MS', 90_000, { min: 10, max: 86_400_000 * 30 }),
    defaultServiceTtlMs: 90_000,
    microWaitMs: env.int('AUTOWEAVE_DISCOVERY_MICRO_WAIT_MS', 500, { min: 10, max: 60_000 }),
    manifestDirs: env.list('AUTOWEAVE_DISCOVERY_MANIFEST_DIRS'),
    pluginsDir: env.optional('AUTOWEAVE_PLUGINS_DIR'),
  };
}
