import { type BaseConfig, type EnvReader } from '@autoweave/service-kit';
import { parseOutboundAllow, type OutboundPolicy } from '@autoweave/resilience';
import { readSecretKeys, type SecretKeys } from '@autoweave/security';
import { loadPluginSettings, type PluginSettings } from './plugins/plugin-settings.js';

export interface HubConfig extends BaseConfig {
  /** AES-256-GCM keys (base64 or hex) of secrets at rest: AUTOWEAVE_SECRET_KEY seals, AUTOWEAVE_SECRET_KEY_PREVIOUS only opens. */
  secretKeys: SecretKeys;
  /** Default timeout of an upstream call (config.timeoutMs and the request's timeoutMs override it). */
  upstreamTimeoutMs: number;
  /** Address classes webhook URLs may resolve to besides public ones (AUTOWEAVE_OUTBOUND_ALLOW). */
  outboundPolicy: OutboundPolicy;
  /** The plugin host (AUTOWEAVE_PLUGINS_DIR and AUTOWEAVE_PLUGIN_*). */
  plugins: PluginSettings;
}

export function loadHubConfig(env: EnvReader, base: BaseConfig): HubConfig {
  const secretKeys = readSecretKeys(env);
  const outboundPolicy = env.parsed('AUTOWEAVE_OUTBOUND_ALLOW', parseOutboundAllow);
  return { ...base, secretKeys, outboundPolicy, plugins: loadPluginSettings(env), upstreamTimeoutMs: env.int('AUTOWEAVE_UPSTREAM_TIMEOUT_MS', 10_000, { min: 1, max: 300_000 }) };
}
