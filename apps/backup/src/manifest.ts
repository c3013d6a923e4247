import { AppError } from '@autoweave/contracts';
import type { StreamConfig, StreamState } from '@nats-io/jetstream';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackupTarget } from './targets.js';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'autoweave-jetstream-backup';
export const MANIFEST_VERSION = 1;

/** One stream in a backup: where its snapshot is, how to check it, and what the server said about it. */
export interface StreamEntry extends BackupTarget {
  /** The snapshot file, relative to the backup folder; absent when the stream did not exist. */
  file?: string;
  bytes?: number;
  sha256?: string;
  /** The stream's configuration and state as the snapshot reply gave them (the restore request needs both). */
  config?: StreamConfig;
  state?: StreamState;
  /** The durable consumers the stream had (they are inside the snapshot; listed to check the restore). */
  consumers?: string[];
  /** The stream did not exist on the server at backup time: nothing to restore. */
  absent?: true;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  createdAt: string;
  /** Version of the server the backup was taken from. */
  serverVersion: string;
  streams: StreamEntry[];
}

export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Reads and checks a backup folder's manifest; a missing, foreign or damaged one is a VALIDATION error naming the file. */
export async function readManifest(dir: string): Promise<Manifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (err as Error).message;
    throw new AppError('VALIDATION', `${path} ${reason}: not a backup folder written by autoweave-backup`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError('VALIDATION', `${path} is not valid JSON`);
  }
  return checkManifest(parsed, path);
}

function checkManifest(value: unknown, path: string): Manifest {
  const m = value as Partial<Manifest> | null;
  if (!m || typeof m !== 'object' || m.format !== MANIFEST_FORMAT) {
    throw new AppError('VALIDATION', `${path}: not an autoweave-backup manifest (format is not "${MANIFEST_FORMAT}")`);
  }
  if (m.version !== MANIFEST_VERSION) {
    throw new AppError('VALIDATION', `${path}: manifest version ${String(m.version)} is not supported (this tool reads ${MANIFEST_VERSION})`);
  }
  if (!Array.isArray(m.streams)) throw new AppError('VALIDATION', `${path}: "streams" must be an array`);
  for (const [i, entry] of m.streams.entries()) {
    if (typeof entry?.stream !== 'string' || !/^[A-Za-z0-9_-]+$/.test(entry.stream)) {
      throw new AppError('VALIDATION', `${path}: streams[${i}].stream must be a stream name`);
    }
    if (entry.absent) continue;
    if (typeof entry.file !== 'string' || entry.file.includes('/') || entry.file.includes('\\') || entry.file.startsWith('.')) {
      throw new AppError('VALIDATION', `${path}: streams[${i}].file must be a file name inside the backup folder`);
    }
    if (!entry.config || entry.config.name !== entry.stream || !entry.state || typeof entry.sha256 !== 'string') {
      throw new AppError('VALIDATION', `${path}: streams[${i}] (${entry.stream}) lacks its config, state or sha256`);
    }
  }
  return m as Manifest;
}
