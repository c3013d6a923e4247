import { AppError } from '@autoweave/contracts';
import { fromNatsError, type NatsConnection } from '@autoweave/messaging';
import { jetstreamManager, type JetStreamManager, type StreamConfig, type StreamState } from '@nats-io/jetstream';

/**
 * The two JetStream API verbs nats.js does not wrap: stream snapshot and restore (what `nats stream backup`
 * and `nats stream restore` use). These are the NATS server's own API subjects, not AutoWeave subjects,
 * which is why they live here and not in the contracts' catalogue.
 */
export const jsApi = {
  snapshot: (stream: string): string => `$JS.API.STREAM.SNAPSHOT.${stream}`,
  restore: (stream: string): string => `$JS.API.STREAM.RESTORE.${stream}`,
} as const;

/** An error as the JetStream API reports it in a reply body. */
interface ApiError {
  code: number;
  err_code?: number;
  description?: string;
}

/** JSApiStreamSnapshotRequest (nats-server jetstream_api.go). */
export interface SnapshotRequest {
  deliver_subject: string;
  no_consumers?: boolean;
  chunk_size?: number;
  /** Ask the server to check the messages' integrity before snapshotting. */
  jsck?: boolean;
}

/** JSApiStreamSnapshotResponse: the stream's configuration and state at the moment of the snapshot. */
export interface SnapshotResponse {
  config: StreamConfig;
  state: StreamState;
}

/** JSApiStreamRestoreRequest. */
export interface RestoreRequest {
  config: StreamConfig;
  state: StreamState;
}

/** JSApiStreamRestoreResponse: where the snapshot's chunks go. */
export interface RestoreResponse {
  deliver_subject: string;
}

/**
 * Sends one JetStream API request and returns its parsed reply; an API error becomes an AppError that
 * carries the server's description (e.g. "stream not found"), a missing JetStream UNAVAILABLE.
 */
export async function jsApiRequest<T>(nc: NatsConnection, subject: string, body: unknown, timeoutMs: number): Promise<T> {
  const payload = body === undefined ? new Uint8Array() : JSON.stringify(body);
  const reply = await nc.request(subject, payload, { timeout: timeoutMs }).catch((err: unknown) => {
    throw fromNatsError(err, subject, timeoutMs);
  });
  return parseApiReply<T>(reply.data, subject);
}

/** Parses a JetStream API reply; throws the error it carries. */
export function parseApiReply<T>(data: Uint8Array, subject: string): T {
  let parsed: (T & { error?: ApiError }) | undefined;
  try {
    parsed = JSON.parse(new TextDecoder().decode(data)) as T & { error?: ApiError };
  } catch {
    throw new AppError('INTERNAL', `unreadable JetStream API reply on ${subject}`, { subject });
  }
  if (parsed.error) throw apiError(parsed.error, subject);
  return parsed;
}

function apiError(error: ApiError, subject: string): AppError {
  const description = error.description ?? `error ${error.code}`;
  const code = error.code === 404 ? 'NOT_FOUND' : error.code === 503 ? 'UNAVAILABLE' : error.code === 400 ? 'VALIDATION' : 'INTERNAL';
  return new AppError(code, `${subject}: ${description}`, { subject, status: error.code, errCode: error.err_code });
}

/** The JetStream manager of the connection; a server without JetStream is an UNAVAILABLE naming the server. */
export async function openJetStream(nc: NatsConnection): Promise<JetStreamManager> {
  try {
    return await jetstreamManager(nc);
  } catch (err) {
    throw new AppError('UNAVAILABLE', `JetStream is not available on ${nc.getServer()}: ${(err as Error).message}`);
  }
}
