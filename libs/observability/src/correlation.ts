import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * The correlation id of the work in progress. It enters at the edge (HTTP
 * header or NATS header), lives in async-local storage while a request is
 * handled, and leaves on every outgoing NATS message, so one id ties together
 * the log lines of every service that touched a request.
 */
const storage = new AsyncLocalStorage<string>();

const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function currentCorrelationId(): string | undefined {
  return storage.getStore();
}

export function runWithCorrelation<T>(id: string | undefined, fn: () => T): T {
  return storage.run(acceptCorrelationId(id), fn);
}

/** Keeps a caller's id when it is sane; otherwise makes a new one (ids end up in logs). */
export function acceptCorrelationId(id: string | undefined | null): string {
  return id && VALID_ID.test(id) ? id : newCorrelationId();
}

export function newCorrelationId(): string {
  return randomUUID();
}
