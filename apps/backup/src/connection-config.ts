import { natsSettingsFromEnv, type ConnectionConfig } from '@autoweave/messaging';
import { AppError } from '@autoweave/contracts';

/** How long the CLI keeps trying to reach NATS before it gives up (services wait longer: they start with it). */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * The NATS connection settings, from the same variables as the services (NATS_URL, NATS_USER/NATS_PASS,
 * NATS_TOKEN, NATS_NKEY_SEED(_FILE), NATS_CREDS, NATS_TLS_*; libs/messaging reads them), and the log level.
 */
export function connectionConfigFromEnv(env: NodeJS.ProcessEnv): { connection: ConnectionConfig; logLevel: string } {
  let settings: ReturnType<typeof natsSettingsFromEnv>;
  try {
    settings = natsSettingsFromEnv(env);
  } catch (err) {
    throw new AppError('VALIDATION', (err as Error).message);
  }
  const connection: ConnectionConfig = {
    ...settings,
    name: 'autoweave-backup',
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    // A CLI run should end with an error, not wait forever for a server that went away.
    options: { maxReconnectAttempts: 10 },
  };
  return { connection, logLevel: env.LOG_LEVEL?.trim() || 'info' };
}
