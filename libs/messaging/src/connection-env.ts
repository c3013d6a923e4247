import { readFileSync } from 'node:fs';
import type { ConnectionConfig } from './connection.js';

export type NatsSettings = Omit<ConnectionConfig, 'name'>;

type Env = Record<string, string | undefined>;

/**
 * How every AutoWeave process finds and authenticates to NATS, from the
 * environment (the table in docs/CONFIGURATION.md). One reader, so the
 * services and the CLIs take the same variables.
 */
export function natsSettingsFromEnv(env: Env = process.env): NatsSettings {
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const seedFile = value('NATS_NKEY_SEED_FILE');
  const tls = { caFile: value('NATS_TLS_CA'), certFile: value('NATS_TLS_CERT'), keyFile: value('NATS_TLS_KEY') };
  if (Boolean(tls.certFile) !== Boolean(tls.keyFile)) throw new Error('NATS_TLS_CERT and NATS_TLS_KEY go together (a client certificate needs its key)');
  return {
    url: value('NATS_URL') ?? 'nats://127.0.0.1:4222',
    user: value('NATS_USER'),
    pass: value('NATS_PASS'),
    token: value('NATS_TOKEN'),
    nkeySeed: value('NATS_NKEY_SEED') ?? (seedFile ? readSecretFile(seedFile, 'NATS_NKEY_SEED_FILE') : undefined),
    credsFile: value('NATS_CREDS'),
    ...(tls.caFile || tls.certFile ? { tls } : {}),
  };
}

function readSecretFile(path: string, variable: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new Error(`${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
