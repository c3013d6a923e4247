import { DEFAULT_MAX_MESSAGE_BYTES } from '@autoweave/contracts';
import { natsSettingsFromEnv, type NatsSettings } from '@autoweave/messaging';

/** A configuration problem, reported at boot with the variable named. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** Typed readers of environment variables; each throws a ConfigError naming the variable. */
export function envReader(env: Env = process.env) {
  const raw = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  return {
    /** The variables themselves, for readers of a group of them (NATS_*). */
    source: env,
    string(name: string, fallback?: string): string {
      const value = raw(name) ?? fallback;
      if (value === undefined) throw new ConfigError(`${name} is required`);
      return value;
    },
    optional(name: string): string | undefined {
      return raw(name);
    },
    int(name: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
      const value = raw(name);
      if (value === undefined) return fallback;
      const n = Number(value);
      if (!Number.isInteger(n) || n < min || n > max) {
        throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${value}"`);
      }
      return n;
    },
    bool(name: string, fallback: boolean): boolean {
      const value = raw(name)?.toLowerCase();
      if (value === undefined) return fallback;
      if (['1', 'true', 'yes', 'on'].includes(value)) return true;
      if (['0', 'false', 'no', 'off'].includes(value)) return false;
      throw new ConfigError(`${name} must be true or false, got "${value}"`);
    },
    /** The variable (undefined when unset) through `parse`; what `parse` throws becomes a ConfigError. */
    parsed<T>(name: string, parse: (value: string | undefined) => T): T {
      try {
        return parse(raw(name));
      } catch (err) {
        throw new ConfigError(`${name}: ${(err as Error).message}`);
      }
    },
    list(name: string, fallback: string[] = []): string[] {
      const value = raw(name);
      return value === undefined ? fallback : value.split(',').map((s) => s.trim()).filter(Boolean);
    },
  };
}

export type EnvReader = ReturnType<typeof envReader>;

/** Settings every service reads (see docs/CONFIGURATION.md). */
export interface BaseConfig {
  /** Where NATS is and how to authenticate (NATS_* variables, read by libs/messaging). */
  nats: NatsSettings;
  /** Copies of each stream and bucket this service creates (1: a single server; 3: a 3-node cluster). */
  jetstreamReplicas: number;
  logLevel: string;
  healthPort: number;
  maxMessageBytes: number;
  requestTimeoutMs: number;
  shutdownTimeoutMs: number;
  /** On stop: how long to go on serving, already reported not ready, before closing (so a load balancer stops sending first). */
  shutdownDelayMs: number;
}

export function readBaseConfig(env: EnvReader, defaultHealthPort: number): BaseConfig {
  return {
    nats: env.parsed('NATS_*', () => natsSettingsFromEnv(env.source)),
    jetstreamReplicas: env.int('AUTOWEAVE_JETSTREAM_REPLICAS', 1, { min: 1, max: 5 }),
    logLevel: env.string('LOG_LEVEL', 'info'),
    healthPort: env.int('AUTOWEAVE_HEALTH_PORT', defaultHealthPort, { min: 0, max: 65535 }),
    maxMessageBytes: env.int('AUTOWEAVE_MAX_MESSAGE_BYTES', DEFAULT_MAX_MESSAGE_BYTES, { min: 1024, max: 64 * 1024 * 1024 }),
    requestTimeoutMs: env.int('AUTOWEAVE_REQUEST_TIMEOUT_MS', 10_000, { min: 100, max: 600_000 }),
    shutdownTimeoutMs: env.int('AUTOWEAVE_SHUTDOWN_TIMEOUT_MS', 15_000, { min: 100, max: 600_000 }),
    shutdownDelayMs: env.int('AUTOWEAVE_SHUTDOWN_DELAY_MS', 0, { min: 0, max: 600_000 }),
  };
}
