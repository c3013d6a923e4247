#!/usr/bin/env node
import { AppError } from '@autoweave/contracts';
import { connectNats } from '@autoweave/messaging';
import { createLogger } from '@autoweave/observability';
import { parseArgs } from 'node:util';
import { backup } from './backup.js';
import { connectionConfigFromEnv } from './connection-config.js';
import { restore } from './restore.js';

const USAGE = `Usage: autoweave-backup <command> <dir> [options]

Backs up and restores AutoWeave's JetStream state: every stream (EVENTS, WEBHOOKS_IN, DELIVERIES,
INTEGRATION_LOGS, PIPELINE_DLQ, WEBHOOK_DLQ, AUDIT) and every KV bucket (integrations, pipelines,
pipeline_cursors, webhook_endpoints, ...), with the JetStream snapshot API: messages keep their
sequence numbers and durable consumers their positions.

Commands:
  backup <dir>    Snapshot every stream and bucket into <dir> (created; must be empty).
                  <dir>/manifest.json is written last: a folder with it is a complete backup.
  restore <dir>   Restore the backup in <dir>. Streams that exist and hold messages are refused
                  unless --force; existing empty ones are replaced. Stop the services first.

Options:
  --force         restore: delete and replace streams that hold messages.
  -h, --help      Show this help.

Environment (as for the services):
  NATS_URL        Server URL(s), comma-separated (default nats://127.0.0.1:4222).
  NATS_USER / NATS_PASS, NATS_TOKEN, NATS_CREDS (a .creds file)   Authentication.
  LOG_LEVEL       pino level of the progress log (default info).

Exit status: 0 done, 1 failed (the error is printed), 2 bad usage.`;

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    process.stderr.write(`autoweave-backup: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [command, dir, ...extra] = parsed.positionals;
  const usageError = checkUsage(command, dir, extra, parsed.values.force === true);
  if (usageError) {
    process.stderr.write(`autoweave-backup: ${usageError}\n\n${USAGE}\n`);
    return 2;
  }

  const { connection, logLevel } = connectionConfigFromEnv(process.env);
  const logger = createLogger({ service: 'autoweave-backup', level: logLevel });
  const nc = await connectNats(connection, logger).catch((err: unknown) => {
    throw new AppError('UNAVAILABLE', `cannot connect to NATS at ${connection.url}: ${(err as Error).message}`);
  });
  try {
    if (command === 'backup') await backup(nc, dir!, logger);
    else await restore(nc, dir!, logger, { force: parsed.values.force === true });
    return 0;
  } finally {
    await nc.close();
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
}

function checkUsage(command: string | undefined, dir: string | undefined, extra: string[], force: boolean): string | undefined {
  if (command !== 'backup' && command !== 'restore') return command ? `unknown command "${command}"` : 'a command is required';
  if (!dir) return `${command} needs a folder`;
  if (extra.length > 0) return `unexpected arguments: ${extra.join(' ')}`;
  if (force && command !== 'restore') return '--force applies to restore only';
  return undefined;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = err instanceof AppError ? err.message : `unexpected failure: ${(err as Error)?.message ?? String(err)}`;
    const code = err instanceof AppError ? ` [${err.code}]` : '';
    process.stderr.write(`autoweave-backup: ${message}${code}\n`);
    process.exit(1);
  },
);
