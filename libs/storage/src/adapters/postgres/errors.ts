import { AppError, type ErrorCode } from '@autoweave/contracts';
import { maskSecrets } from './connection.js';

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE']);

/** The SQLSTATE classes and codes that say the config (table, column, type, data) is wrong rather than the server down. */
function codeOf(sqlstate: string): ErrorCode {
  if (sqlstate === '57014') return 'TIMEOUT'; // statement timeout or cancel
  if (/^(08|53|57P|28)/.test(sqlstate)) return 'UNAVAILABLE'; // connection, resources, shutdown, authentication
  if (/^(42|22|23|3D|3F|25|2B|44|0A)/.test(sqlstate)) return 'VALIDATION'; // syntax/undefined objects, data, constraints
  return 'UPSTREAM';
}

/**
 * A PostgreSQL or network failure as an AppError with a clear message and no
 * secret in it: SQLSTATE classes map to codes (connection -> UNAVAILABLE,
 * undefined table or bad data -> VALIDATION, timeout -> TIMEOUT).
 */
export function postgresError(err: unknown, action: string): AppError {
  if (err instanceof AppError) return err;
  const e = err as { code?: unknown; message?: unknown };
  const message = maskSecrets(typeof e.message === 'string' ? e.message : String(err));
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code === 'ERR_INVALID_URL') return new AppError('VALIDATION', `${action}: connectionString is not a valid URL`, { field: 'connectionString' });
  if (code && NETWORK_ERRORS.has(code)) return new AppError('UNAVAILABLE', `${action}: database unreachable (${code})`, { reason: code });
  if (code && /^[0-9A-Z]{5}$/.test(code)) return new AppError(codeOf(code), `${action}: ${message}`, { sqlstate: code });
  if (/timeout|terminated|SSL/i.test(message)) return new AppError('UNAVAILABLE', `${action}: ${message}`);
  return new AppError('UPSTREAM', `${action}: ${message}`);
}
