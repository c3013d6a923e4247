import { AppError } from '@autoweave/contracts';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { Manifest } from './manifest.js';

/**
 * Checks every snapshot file of a backup against the size and sha256 in its manifest, before anything is
 * changed on the server: a truncated or altered backup is refused whole rather than half restored.
 */
export async function verifySnapshotFiles(dir: string, manifest: Manifest): Promise<void> {
  for (const entry of manifest.streams) {
    if (entry.absent || !entry.file) continue;
    const path = join(dir, entry.file);
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      for await (const chunk of createReadStream(path)) {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      }
    } catch (err) {
      throw new AppError('VALIDATION', `cannot read ${path} (${(err as Error).message}): the backup is incomplete`, { stream: entry.stream });
    }
    if (bytes !== entry.bytes || hash.digest('hex') !== entry.sha256) {
      throw new AppError('VALIDATION', `${path} does not match its manifest entry (size or sha256 differs): the backup is damaged`, {
        stream: entry.stream,
      });
    }
  }
}
