import { AppError, type ErrorCode } from '@autoweave/contracts';

/**
 * An AppError whose HTTP status is not the one its code maps to, with headers
 * to send along: 403 for a key lacking a scope (the closed set of codes has no
 * FORBIDDEN, so the code stays UNAUTHORIZED), 413 and 415 for bodies refused
 * before they reach a handler.
 */
export class HttpStatusError extends AppError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly httpStatus: number,
    details?: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(code, message, details);
  }
}
