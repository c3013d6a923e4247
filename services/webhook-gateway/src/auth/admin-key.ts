import type { Logger } from '@autoweave/observability';
import { generateApiKey, hashApiKey } from './api-key.js';

export const DEV_ADMIN_KEY_MESSAGE = 'development admin API key (set AUTOWEAVE_ADMIN_API_KEY to choose one)';

/**
 * The admin keys' hashes: those configured (AUTOWEAVE_ADMIN_API_KEY, comma-
 * separated so an operator can roll it: new and old, then new), or that of a
 * development key made now and printed once on stdout. That line is the only
 * place a key is ever logged. It goes through the logger at warn; if the log
 * level hides warn it is written to stdout anyway, as nobody could use the
 * gateway otherwise. (The field is `key`, which the logger's redaction list
 * does not mask.)
 */
export function resolveAdminKeyHashes(
  configuredHashes: readonly string[],
  logger: Logger,
  write: (line: string) => void = (line) => void process.stdout.write(line),
): string[] {
  if (configuredHashes.length > 0) return [...configuredHashes];
  const key = generateApiKey();
  if (logger.isLevelEnabled('warn')) logger.warn({ key }, DEV_ADMIN_KEY_MESSAGE);
  else write(`${JSON.stringify({ level: 'warn', msg: DEV_ADMIN_KEY_MESSAGE, key })}\n`);
  return [hashApiKey(key)];
}
