import { randomBytes } from 'node:crypto';

type Config = Record<string, unknown>;

/** A Standard Webhooks secret: whsec_ and 24 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * Per-type values the hub fills in when a config leaves them out, applied
 * before validation so a generated value is validated like a given one.
 */
const defaults: Record<string, (config: Config) => Config> = {
  /** Standard Webhooks: a whsec_ secret of 24 random bytes when none is given. */
  webhook: (config) => (config.secret === undefined ? { ...config, secret: newWebhookSecret() } : config),
};

export function withTypeDefaults(type: string, config: Config): Config {
  return defaults[type]?.(config) ?? config;
}
