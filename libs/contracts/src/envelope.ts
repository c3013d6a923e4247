import { AppError, type ErrorBody, isErrorBody, toAppError } from './errors.js';

/** Every reply on the bus is one of these. */
export type Success<T> = { ok: true; data: T };
export type Failure = { ok: false; error: ErrorBody };
export type Envelope<T> = Success<T> | Failure;

export function ok<T>(data: T): Success<T> {
  return { ok: true, data };
}

export function fail(err: unknown): Failure {
  return { ok: false, error: toAppError(err).toBody() };
}

export function isEnvelope(value: unknown): value is Envelope<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { ok?: unknown; error?: unknown };
  if (v.ok === true) return 'data' in v;
  return v.ok === false && isErrorBody(v.error);
}

/** Returns the data of a successful envelope or throws its error as an AppError. */
export function unwrap<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.data;
  throw AppError.fromBody(envelope.error);
}
