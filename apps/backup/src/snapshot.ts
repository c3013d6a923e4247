import { AppError } from '@autoweave/contracts';
import type { NatsConnection } from '@autoweave/messaging';
import { createInbox, type Msg } from '@nats-io/transport-node';
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { jsApi, jsApiRequest, type SnapshotRequest, type SnapshotResponse } from './js-api.js';

export interface SnapshotOptions {
  /** Bytes per chunk the server sends (the server accepts 1 KiB to 1 MiB minus headers). */
  chunkBytes?: number;
  /** A snapshot that sends nothing for this long has failed. */
  idleTimeoutMs?: number;
  /** Timeout of the snapshot request itself. */
  requestTimeoutMs?: number;
}

export interface SnapshotResult extends SnapshotResponse {
  bytes: number;
  sha256: string;
}

const DEFAULT_CHUNK_BYTES = 128 * 1024;

/**
 * Writes a JetStream snapshot of one stream (its messages with their sequence numbers, and its consumers
 * with their positions) to `file`. The server streams chunks to an inbox; each chunk that carries a
 * reply subject is acknowledged once it is written (the server's flow control), an empty message ends the
 * snapshot, and an empty message with a 408 status means the server gave up.
 */
export async function snapshotStream(nc: NatsConnection, stream: string, file: string, options: SnapshotOptions = {}): Promise<SnapshotResult> {
  const inbox = createInbox();
  const sub = nc.subscribe(inbox);
  const out = createWriteStream(file, { flags: 'wx' });
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    const request: SnapshotRequest = { deliver_subject: inbox, chunk_size: options.chunkBytes ?? DEFAULT_CHUNK_BYTES };
    const response = await jsApiRequest<SnapshotResponse>(nc, jsApi.snapshot(stream), request, options.requestTimeoutMs ?? 30_000);
    const idleMs = options.idleTimeoutMs ?? 30_000;
    for await (const msg of withIdleTimeout(sub, idleMs, stream)) {
      if (msg.data.length === 0) {
        checkEndStatus(msg, stream);
        break;
      }
      await write(out, msg.data);
      hash.update(msg.data);
      bytes += msg.data.length;
      // Only chunks sent under flow control carry a reply; the last partial chunk does not.
      if (msg.reply) msg.respond();
    }
    out.end();
    await once(out, 'finish');
    return { ...response, bytes, sha256: hash.digest('hex') };
  } catch (err) {
    out.destroy();
    throw err;
  } finally {
    sub.unsubscribe();
  }
}

function checkEndStatus(msg: Msg, stream: string): void {
  const code = msg.headers?.code ?? 0;
  if (code >= 400) {
    throw new AppError('UNAVAILABLE', `the server aborted the snapshot of ${stream}: ${code} ${msg.headers?.description ?? ''}`.trim(), {
      stream,
      status: code,
    });
  }
}

async function write(out: WriteStream, chunk: Uint8Array): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** Yields the subscription's messages; fails when none arrives within `idleMs`. */
async function* withIdleTimeout(sub: AsyncIterable<Msg> & { unsubscribe(): void }, idleMs: number, stream: string): AsyncGenerator<Msg> {
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      sub.unsubscribe();
    }, idleMs);
  };
  arm();
  try {
    for await (const msg of sub) {
      arm();
      yield msg;
    }
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) throw new AppError('TIMEOUT', `the snapshot of ${stream} sent nothing for ${idleMs} ms`, { stream });
  throw new AppError('UNAVAILABLE', `the snapshot of ${stream} ended before its last chunk (connection closed?)`, { stream });
}
