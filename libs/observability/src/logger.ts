import { pino, type Logger, type LoggerOptions } from 'pino';
import { currentCorrelationId } from './correlation.js';

export type { Logger } from 'pino';

/**
 * Keys whose values are never written to a log, wherever they appear in the
 * first levels of a logged object. Secrets are also masked before they reach
 * a logger; this is the second line of defence.
 */
export const REDACTED_KEYS = [
  'password',
  'secret',
  'token',
  'apiKey',
  'api_key',
  'clientSecret',
  'connectionString',
  'authorization',
  'Authorization',
  'x-api-key',
  'cookie',
];

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of REDACTED_KEYS) {
    paths.push(key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`);
  }
  return paths;
}

export interface LoggerConfig {
  service: string;
  level?: string;
  /** Where lines go; stdout when absent. Tests pass a stream to read them back. */
  destination?: NodeJS.WritableStream;
}

/** A pino JSON logger; every line carries the service name and the current correlation id. */
export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    level: config.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service: config.service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths(), censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const correlationId = currentCorrelationId();
      return correlationId ? { correlationId } : {};
    },
  };
  return config.destination ? pino(options, config.destination as pino.DestinationStream) : pino(options);
}
