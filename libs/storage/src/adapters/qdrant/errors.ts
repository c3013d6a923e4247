import { AppError } from '@autoweave/contracts';

/** The shape of the REST client's ApiError (its class lives in a transitive package). */
interface HttpFailure {
  status: number;
  data?: unknown;
}

function isHttpFailure(err: unknown): err is HttpFailure {
  return err instanceof Error && typeof (err as Partial<HttpFailure>).status === 'number';
}

export function isNotFound(err: unknown): boolean {
  return isHttpFailure(err) && err.status === 404;
}

/**
 * A Qdrant client failure as an AppError. Messages carry the operation, the
 * HTTP status and Qdrant's own error text, never the API key (the client does
 * not put it in errors; nor do we).
 */
export function qdrantError(err: unknown, operation: string): AppError {
  if (err instanceof AppError) return err;
  const name = (err as Error | undefined)?.name ?? '';
  if (name === 'QdrantClientTimeoutError' || name === 'TimeoutError' || name === 'AbortError') {
    return new AppError('TIMEOUT', `qdrant ${operation}: no answer in time`, undefined, { cause: err });
  }
  if (isHttpFailure(err)) {
    const detail = describeData(err.data);
    const message = `qdrant ${operation}: HTTP ${err.status}${detail ? `: ${detail}` : ''}`;
    if (err.status === 401 || err.status === 403) return new AppError('UNAUTHORIZED', message, { status: err.status }, { cause: err });
    if (err.status === 429) return new AppError('RATE_LIMITED', message, { status: err.status }, { cause: err });
    if (err.status === 404) return new AppError('NOT_FOUND', message, { status: err.status }, { cause: err });
    return new AppError('UPSTREAM', message, { status: err.status }, { cause: err });
  }
  const cause = (err as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const reason = cause?.code ?? cause?.message ?? (err as Error | undefined)?.message ?? 'unknown error';
  return new AppError('UNAVAILABLE', `qdrant ${operation}: cannot reach the server (${reason})`, undefined, { cause: err });
}

function describeData(data: unknown): string {
  const status = (data as { status?: { error?: unknown } } | undefined)?.status;
  if (status && typeof status.error === 'string') return status.error.slice(0, 300);
  return '';
}
