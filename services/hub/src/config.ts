import { ConfigError, type BaseConfig, type EnvReader } from '@autoweave/service-kit';
import { SecretBox } from './registry/secret-box.js';

export interface HubConfig extends BaseConfig {
  /** 32-byte AES-256-GCM key (base64 or hex) that encrypts secrets at rest. */
  secretKey: string;
}

export function loadHubConfig(env: EnvReader, base: BaseConfig): HubConfig {
  const secretKey = env.string('AUTOWEAVE_SECRET_KEY');
  try {
    SecretBox.fromString(secretKey);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return { ...base, secretKey };
}
