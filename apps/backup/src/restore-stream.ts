import { AppError } from '@autoweave/contracts';
import { fromNatsError, type NatsConnection } from '@autoweave/messaging';
import type { StreamInfo } from '@nats-io/jetstream';
import { createReadStream } from 'node:fs';
import { jsApi, jsApiRequest, parseApiReply, type RestoreRequest, type RestoreResponse } from './js-api.js';
import type { StreamEntry } from './manifest.js';

export interface RestoreStreamOptions {
  /** Bytes per chunk sent to the server. */
  chunkBytes?: number;
  /** Timeout of the restore request and of each chunk's acknowledgement. */
  requestTimeoutMs?: number;
  /** Timeout of the last step, in which the server unpacks the snapshot and starts the stream. */
  finishTimeoutMs?: number;
}

const DEFAULT_CHUNK_BYTES = 128 * 1024;

/**
 * Restores one stream from its snapshot file: the restore request (the stream's config and state from
 * the manifest) answers with a subject, each chunk is sent there as a request and acknowledged by an empty
 * reply, and an empty request ends the upload; its reply is the restored stream's info. The stream must
 * not exist (the server refuses otherwise). Sequence numbers and consumers come back as they were.
 */
export async function restoreStream(nc: NatsConnection, entry: StreamEntry, file: string, options: RestoreStreamOptions = {}): Promise<StreamInfo> {
  if (!entry.config || !entry.state) throw new AppError('VALIDATION', `the manifest has no config or state for ${entry.stream}`);
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const request: RestoreRequest = { config: entry.config, state: entry.state };
  const { deliver_subject: deliver } = await jsApiRequest<RestoreResponse>(nc, jsApi.restore(entry.stream), request, timeoutMs);
  for await (const chunk of createReadStream(file, { highWaterMark: options.chunkBytes ?? DEFAULT_CHUNK_BYTES })) {
    const ack = await nc.request(deliver, chunk as Buffer, { timeout: timeoutMs }).catch((err: unknown) => {
      throw fromNatsError(err, `the restore of ${entry.stream}`, timeoutMs);
    });
    if (ack.data.length > 0) throw chunkRefused(entry.stream, ack.data);
  }
  const finishMs = options.finishTimeoutMs ?? 10 * 60_000;
  const done = await nc.request(deliver, new Uint8Array(), { timeout: finishMs }).catch((err: unknown) => {
    throw fromNatsError(err, `the restore of ${entry.stream}`, finishMs);
  });
  return parseApiReply<StreamInfo>(done.data, jsApi.restore(entry.stream));
}

/** A chunk's reply is empty when accepted; otherwise a JSON API error or a `-ERR '...'` line. */
function chunkRefused(stream: string, data: Uint8Array): AppError {
  const text = new TextDecoder().decode(data);
  if (text.startsWith('{')) {
    try {
      parseApiReply<unknown>(data, jsApi.restore(stream));
    } catch (err) {
      return err as AppError;
    }
  }
  return new AppError('UNAVAILABLE', `the server refused a chunk of the restore of ${stream}: ${text.replace(/^-ERR\s*/, '')}`, { stream });
}
