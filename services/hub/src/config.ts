import { type BaseConfig, type EnvReader } from '@autoweave/service-kit';
import { parseOutboundAllow, type OutboundPolicy } from '@autoweave/resilience';
import { requireSecretKey } from '@autoweave/security';
import { loadPluginSettings, type PluginSettings } from './plugins/plugin-settings.js';

export interface HubConfig extends BaseConfig {
  /** 32-byte AES-256-GCM key (base64 or hex) that encrypts secrets at rest. */
  secretKey: string;
  /** Default timeout of an upstream call (config.timeoutMs and the request's timeoutMs override it). */
  upstreamTimeoutMs: number;
  /** Address classes webhook URLs may resolve to besides public ones (AUTOWEAVE_OUTBOUND_ALLOW). */
  outboundPolicy: OutboundPolicy;
  /** The plugin host (AUTOWEAVE_PLUGINS_DIR and AUTOWEAVE_PLUGIN_*). */
  plugins: PluginSettings;
}

export function loadHubConfig(env: EnvReader, base: BaseConfig): HubConfig {
  const secretKey = env.parsed('AUTOWEAVE_SECRET_KEY', requireSecretKey);
  const outboundPolicy = env.parsed('AUTOWEAVE_OUTBOUND_ALLOW', parseOutboundAllow);
  return { ...base, secretKey, outboundPolicy, plugins: loadPluginSettings(env), upstreamTimeoutMs: env.int('AUTOWEAVE_UPSTREAM_TIMEOUT_MS', 10_000, { min: 1, max: 300_000 }) };
}
