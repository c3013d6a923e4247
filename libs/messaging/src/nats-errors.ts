import { AppError } from '@autoweave/contracts';
import { errors as natsErrors } from '@nats-io/transport-node';

/** Maps a failure of the NATS client to an AppError with a code from the closed set. */
export function fromNatsError(err: unknown, subject: string, timeoutMs?: number): AppError {
  if (err instanceof AppError) return err;
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : undefined;
  if (err instanceof natsErrors.RequestError && err.isNoResponders()) {
    return new AppError('UNAVAILABLE', `no service is answering ${subject}`, { subject });
  }
  if (err instanceof natsErrors.NoRespondersError || cause instanceof natsErrors.NoRespondersError) {
    return new AppError('UNAVAILABLE', `no service is answering ${subject}`, { subject });
  }
  if (err instanceof natsErrors.TimeoutError || cause instanceof natsErrors.TimeoutError) {
    const after = timeoutMs === undefined ? '' : ` within ${timeoutMs} ms`;
    return new AppError('TIMEOUT', `no reply on ${subject}${after}`, { subject, timeoutMs });
  }
  if (err instanceof natsErrors.PermissionViolationError) {
    return new AppError('UNAUTHORIZED', `not permitted to ${err.operation} on ${err.subject}`, { subject });
  }
  if (
    err instanceof natsErrors.ClosedConnectionError ||
    err instanceof natsErrors.DrainingConnectionError ||
    err instanceof natsErrors.ConnectionError
  ) {
    return new AppError('UNAVAILABLE', `NATS connection unavailable: ${err.message}`, { subject });
  }
  return new AppError('INTERNAL', `messaging failure on ${subject}`, { subject }, { cause: err });
}

/** JetStream answers a failed KV compare-and-set (update at a revision, create of an existing key) with "wrong last sequence" (error code 10071). */
export function isWrongRevision(err: unknown): boolean {
  const text = err instanceof Error ? `${err.message} ${String((err as { code?: unknown }).code ?? '')}` : String(err);
  return /wrong last sequence|10071|key exists/i.test(text);
}
