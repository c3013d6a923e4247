import { AppError } from '@autoweave/contracts';
import type { NatsConnection } from '@autoweave/messaging';
import type { Logger } from '@autoweave/observability';
import type { JetStreamManager, StreamInfo } from '@nats-io/jetstream';
import { openJetStream } from './js-api.js';
import { join } from 'node:path';
import { isStreamNotFound } from './backup.js';
import { readManifest, type Manifest, type StreamEntry } from './manifest.js';
import { restoreStream, type RestoreStreamOptions } from './restore-stream.js';
import { verifySnapshotFiles } from './verify-files.js';

export interface RestoreOptions extends RestoreStreamOptions {
  /** Replace streams that exist and hold messages (they are deleted first). */
  force?: boolean;
}

export interface RestoredStream {
  stream: string;
  messages: number;
  lastSeq: number;
  consumers: string[];
  /** What differs from the backup (messages, last sequence, consumers); empty when all came back. */
  differences: string[];
}

/**
 * Restores every stream of the backup in `dir`. Refuses, before changing anything, when a file is damaged
 * or a stream to restore already holds messages (unless `force`). A stream that exists but is empty (a
 * service provisioned it on a fresh server) is replaced without asking: it holds nothing to lose.
 * The services should be stopped while it runs: they watch and consume the streams it replaces.
 */
export async function restore(nc: NatsConnection, dir: string, logger: Logger, options: RestoreOptions = {}): Promise<RestoredStream[]> {
  const manifest = await readManifest(dir);
  await verifySnapshotFiles(dir, manifest);
  const jsm = await openJetStream(nc);
  const existing = await existingStreams(jsm, manifest);
  refuseNonEmpty(existing, options.force === true);

  const restored: RestoredStream[] = [];
  for (const entry of manifest.streams) {
    if (entry.absent) {
      logger.info({ stream: entry.stream }, 'stream was absent at backup time; skipped');
      continue;
    }
    const current = existing.get(entry.stream);
    if (current) {
      await jsm.streams.delete(entry.stream);
      logger.warn({ stream: entry.stream, messages: current.state.messages }, 'existing stream deleted before restore');
    }
    const info = await restoreStream(nc, entry, join(dir, entry.file!), options);
    const result = await compareWithBackup(jsm, entry, info);
    restored.push(result);
    const fields = { stream: entry.stream, messages: result.messages, lastSeq: result.lastSeq, consumers: result.consumers.length };
    if (result.differences.length > 0) logger.warn({ ...fields, differences: result.differences }, 'stream restored with differences');
    else logger.info(fields, 'stream restored');
  }
  logger.info({ dir, streams: restored.length, backupCreatedAt: manifest.createdAt }, 'restore complete');
  return restored;
}

async function existingStreams(jsm: JetStreamManager, manifest: Manifest): Promise<Map<string, StreamInfo>> {
  const out = new Map<string, StreamInfo>();
  for (const entry of manifest.streams) {
    if (entry.absent) continue;
    const info = await jsm.streams.info(entry.stream).catch((err: unknown) => {
      if (isStreamNotFound(err)) return undefined;
      throw err;
    });
    if (info) out.set(entry.stream, info);
  }
  return out;
}

function refuseNonEmpty(existing: Map<string, StreamInfo>, force: boolean): void {
  if (force) return;
  const nonEmpty = [...existing.values()].filter((info) => info.state.messages > 0);
  if (nonEmpty.length === 0) return;
  const list = nonEmpty.map((info) => `${info.config.name} (${info.state.messages} messages)`).join(', ');
  throw new AppError(
    'CONFLICT',
    `refusing to restore over streams that hold messages: ${list}. Restore into a fresh server, or stop the services and pass --force to replace them`,
    { streams: nonEmpty.map((info) => info.config.name) },
  );
}

async function compareWithBackup(jsm: JetStreamManager, entry: StreamEntry, info: StreamInfo): Promise<RestoredStream> {
  const consumers: string[] = [];
  for await (const consumer of jsm.consumers.list(entry.stream)) consumers.push(consumer.name);
  const differences: string[] = [];
  if (info.state.messages !== entry.state!.messages) differences.push(`messages ${info.state.messages}, backup ${entry.state!.messages}`);
  if (info.state.last_seq !== entry.state!.last_seq) differences.push(`last sequence ${info.state.last_seq}, backup ${entry.state!.last_seq}`);
  const missing = (entry.consumers ?? []).filter((name) => !consumers.includes(name));
  if (missing.length > 0) differences.push(`consumers missing: ${missing.join(', ')}`);
  return { stream: entry.stream, messages: info.state.messages, lastSeq: info.state.last_seq, consumers, differences };
}
