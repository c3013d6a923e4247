import { AppError } from '@autoweave/contracts';

/**
 * A driver failure as an AppError with the server's code and message. The
 * password is cut out of the text should it ever appear in it (it never
 * should; this is the second line of defence).
 */
export function neo4jError(err: unknown, operation: string, password?: string): AppError {
  if (err instanceof AppError) return err;
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : '';
  let text = err instanceof Error ? err.message : String(err);
  if (password) text = text.split(password).join('***');
  text = text.slice(0, 500);
  const message = `neo4j ${operation}: ${code ? `${code}: ` : ''}${text}`;
  const details = code ? { neo4jCode: code } : undefined;
  if (code === 'Neo.ClientError.Security.Unauthorized' || code.startsWith('Neo.ClientError.Security.')) return new AppError('UNAUTHORIZED', message, details);
  if (code === 'ServiceUnavailable' || code === 'SessionExpired' || code.startsWith('Neo.TransientError.')) return new AppError('UNAVAILABLE', message, details);
  if (/timeout|timed out/i.test(text)) return new AppError('TIMEOUT', message, details);
  return new AppError('UPSTREAM', message, details);
}
