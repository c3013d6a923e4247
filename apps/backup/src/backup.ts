import { AppError } from '@autoweave/contracts';
import type { NatsConnection } from '@autoweave/messaging';
import type { Logger } from '@autoweave/observability';
import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import { openJetStream } from './js-api.js';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FORMAT, MANIFEST_VERSION, writeManifest, type Manifest, type StreamEntry } from './manifest.js';
import { snapshotStream, type SnapshotOptions } from './snapshot.js';
import { backupTargets, type BackupTarget } from './targets.js';

export interface BackupOptions extends SnapshotOptions {
  /** Streams to back up (default: every stream and bucket of the catalogue). */
  targets?: BackupTarget[];
}

/**
 * Snapshots every AutoWeave stream and bucket into `dir` (created; must be empty) and writes the manifest
 * last, so a folder with a manifest is a complete backup. Each stream is consistent in itself; streams are
 * snapshotted one after the other, not at one instant across streams.
 */
export async function backup(nc: NatsConnection, dir: string, logger: Logger, options: BackupOptions = {}): Promise<Manifest> {
  const jsm = await openJetStream(nc);
  await prepareEmptyDir(dir);
  const streams: StreamEntry[] = [];
  for (const target of options.targets ?? backupTargets()) {
    const consumers = await consumerNames(jsm, target.stream);
    if (consumers === undefined) {
      logger.warn({ stream: target.stream }, 'stream does not exist on the server; recorded as absent');
      streams.push({ ...target, absent: true });
      continue;
    }
    const file = `${target.stream}.snapshot`;
    const started = Date.now();
    const result = await snapshotStream(nc, target.stream, join(dir, file), options);
    streams.push({ ...target, file, bytes: result.bytes, sha256: result.sha256, config: result.config, state: result.state, consumers });
    logger.info(
      { stream: target.stream, messages: result.state.messages, lastSeq: result.state.last_seq, consumers: consumers.length, bytes: result.bytes, ms: Date.now() - started },
      'stream backed up',
    );
  }
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    createdAt: new Date().toISOString(),
    serverVersion: nc.info?.version ?? 'unknown',
    streams,
  };
  await writeManifest(dir, manifest);
  logger.info({ dir, streams: streams.filter((s) => !s.absent).length, absent: streams.filter((s) => s.absent).length}, 'backup complete');
  return manifest;
}

/** The stream's durable consumer names, or undefined when the stream does not exist. */
async function consumerNames(jsm: JetStreamManager, stream: string): Promise<string[] | undefined> {
  try {
    const names: string[] = [];
    for await (const consumer of jsm.consumers.list(stream)) names.push(consumer.name);
    return names;
  } catch (err) {
    if (isStreamNotFound(err)) return undefined;
    throw err;
  }
}

export function isStreamNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound;
}

async function prepareEmptyDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const existing = await readdir(dir);
  if (existing.length > 0) {
    throw new AppError('VALIDATION', `backup folder ${dir} is not empty (${existing.length} entries); give a new or empty folder`);
  }
}
