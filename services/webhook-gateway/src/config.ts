import { ConfigError, type BaseConfig, type EnvReader } from '@autoweave/service-kit';
import { SecretBox } from '@autoweave/security';
import { hashApiKey } from './auth/api-key.js';

export const DEFAULT_HTTP_PORT = 3000;
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
export const DEFAULT_API_KEY_CACHE_MS = 5000;

export interface GatewayConfig extends BaseConfig {
  /** Port of the HTTP API (0: any free port; the bound one is on the running app). */
  httpPort: number;
  httpHost: string;
  /** Largest request body accepted; larger ones are answered 413. */
  bodyLimitBytes: number;
  /**
   * sha256 (hex) of AUTOWEAVE_ADMIN_API_KEY. The key itself is not kept in
   * memory or config; when absent a development key is generated at start.
   */
  adminApiKeyHash?: string;
  /** How long a looked-up API key is trusted before it is read again from the KV bucket. */
  apiKeyCacheMs: number;
  /** The hub's AUTOWEAVE_SECRET_KEY: the gateway opens webhook secrets to verify and sign. */
  secretKey: string;
}

export function loadGatewayConfig(env: EnvReader, base: BaseConfig): GatewayConfig {
  const adminKey = env.optional('AUTOWEAVE_ADMIN_API_KEY');
  const secretKey = env.string('AUTOWEAVE_SECRET_KEY');
  try {
    SecretBox.fromString(secretKey);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return {
    ...base,
    httpPort: env.int('AUTOWEAVE_HTTP_PORT', DEFAULT_HTTP_PORT, { min: 0, max: 65535 }),
    httpHost: env.string('AUTOWEAVE_HTTP_HOST', '0.0.0.0'),
    bodyLimitBytes: env.int('AUTOWEAVE_HTTP_BODY_LIMIT_BYTES', DEFAULT_BODY_LIMIT_BYTES, { min: 1024, max: 64 * 1024 * 1024 }),
    adminApiKeyHash: adminKey === undefined ? undefined : hashApiKey(adminKey),
    apiKeyCacheMs: env.int('AUTOWEAVE_API_KEY_CACHE_MS', DEFAULT_API_KEY_CACHE_MS, { min: 0, max: 10_000 }),
    secretKey,
  };
}
