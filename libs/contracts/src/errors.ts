/**
 * The closed set of error codes. Every failure that crosses a service
 * boundary carries exactly one of these; the gateway maps each to its HTTP
 * status. docs/errors.md documents them and a test keeps the two in step.
 */
export const ERROR_CODES = {
  VALIDATION: { status: 400, description: 'The request is malformed or a field is invalid; nothing was changed.' },
  UNAUTHORIZED: { status: 401, description: 'Missing or invalid credentials.' },
  NOT_FOUND: { status: 404, description: 'The addressed resource does not exist.' },
  CONFLICT: { status: 409, description: 'The resource changed since it was read (stale revision) or already exists.' },
  RATE_LIMITED: { status: 429, description: 'Too many requests; retry later.' },
  INTERNAL: { status: 500, description: 'An unexpected failure inside AutoWeave.' },
  UPSTREAM: { status: 502, description: 'The upstream API answered with an error.' },
  UNAVAILABLE: { status: 503, description: 'A dependency is down or a circuit breaker is open.' },
  TIMEOUT: { status: 504, description: 'No answer arrived in time.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}

/** The wire form of an error. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** An error with a code from the closed set. Thrown inside services, sent as an envelope. */
export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static fromBody(body: ErrorBody): AppError {
    return new AppError(body.code, body.message, body.details);
  }
}

export const errors = {
  validation: (message: string, details?: unknown) => new AppError('VALIDATION', message, details),
  notFound: (message: string, details?: unknown) => new AppError('NOT_FOUND', message, details),
  conflict: (message: string, details?: unknown) => new AppError('CONFLICT', message, details),
  unavailable: (message: string, details?: unknown) => new AppError('UNAVAILABLE', message, details),
  timeout: (message: string, details?: unknown) => new AppError('TIMEOUT', message, details),
  upstream: (message: string, details?: unknown) => new AppError('UPSTREAM', message, details),
  unauthorized: (message: string, details?: unknown) => new AppError('UNAUTHORIZED', message, details),
  rateLimited: (message: string, details?: unknown) => new AppError('RATE_LIMITED', message, details),
  internal: (message: string, details?: unknown) => new AppError('INTERNAL', message, details),
} as const;

/**
 * Turns anything thrown into an AppError. Unknown errors become INTERNAL with
 * a generic message: their text may carry secrets or internals.
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isErrorBody(err)) return AppError.fromBody(err);
  return new AppError('INTERNAL', 'internal error', undefined, { cause: err });
}

export function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    isErrorCode((value as ErrorBody).code) &&
    typeof (value as ErrorBody).message === 'string'
  );
}
