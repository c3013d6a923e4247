import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError } from '@autoweave/contracts';
import { isInside } from './paths.js';

export interface LocalCopyLimits {
  maxBytes: number;
  maxEntries?: number;
}

const DEFAULT_MAX_ENTRIES = 20_000;
const SKIPPED = new Set(['.git']);

/**
 * The folder a local plugin names, checked against the allowed root: the
 * path (relative paths are taken from the root) must lie under the root both
 * as written (no `..` escapes) and once symlinks are resolved.
 */
export async function resolveLocalFolder(allowedRoot: string, requested: string): Promise<string> {
  const root = await fs.realpath(allowedRoot).catch(() => {
    throw new AppError('UNAVAILABLE', `the local plugins root ${allowedRoot} does not exist on this hub`);
  });
  const lexical = path.resolve(allowedRoot, requested);
  if (!isInside(path.resolve(allowedRoot), lexical) && !isInside(root, lexical)) {
    throw new AppError('VALIDATION', `config.path "${requested}" is outside the allowed local plugins root`, { field: 'config.path' });
  }
  const real = await fs.realpath(lexical).catch(() => {
    throw new AppError('VALIDATION', `config.path "${requested}" does not exist`, { field: 'config.path' });
  });
  if (!isInside(root, real)) {
    throw new AppError('VALIDATION', `config.path "${requested}" leads (through a symbolic link) outside the allowed local plugins root`, { field: 'config.path' });
  }
  if (!(await fs.stat(real)).isDirectory()) throw new AppError('VALIDATION', `config.path "${requested}" is not a folder`, { field: 'config.path' });
  return real;
}

/**
 * Copies a local plugin folder into `target` (which must not exist). A
 * symbolic link is copied as what it points to when that lies inside the
 * allowed root, and refused otherwise: the copy holds no links, so the
 * plugin's read permission on its folder cannot be followed out of it.
 */
export async function copyLocalFolder(source: string, target: string, allowedRoot: string, limits: LocalCopyLimits): Promise<void> {
  const root = await fs.realpath(allowedRoot);
  const budget = { bytes: 0, entries: 0, maxBytes: limits.maxBytes, maxEntries: limits.maxEntries ?? DEFAULT_MAX_ENTRIES };
  await copyDir(source, target, root, budget, new Set([source]));
}

interface Budget {
  bytes: number;
  entries: number;
  maxBytes: number;
  maxEntries: number;
}

async function copyDir(from: string, to: string, root: string, budget: Budget, ancestors: Set<string>): Promise<void> {
  await fs.mkdir(to);
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    if (++budget.entries > budget.maxEntries) throw new AppError('VALIDATION', `the local plugin folder has more than ${budget.maxEntries} entries`);
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    let real = src;
    if (entry.isSymbolicLink()) {
      real = await fs.realpath(src).catch(() => {
        throw new AppError('VALIDATION', `the local plugin folder holds a broken symbolic link (${entry.name})`);
      });
      if (!isInside(root, real)) throw new AppError('VALIDATION', `the local plugin folder holds a symbolic link (${entry.name}) to a place outside the allowed local plugins root`);
    }
    const stat = await fs.stat(real);
    if (stat.isDirectory()) {
      if (ancestors.has(real)) throw new AppError('VALIDATION', `the local plugin folder holds a symbolic link loop (${entry.name})`);
      await copyDir(real, dst, root, budget, new Set([...ancestors, real]));
    } else if (stat.isFile()) {
      budget.bytes += stat.size;
      if (budget.bytes > budget.maxBytes) throw new AppError('VALIDATION', `the local plugin folder holds more than ${budget.maxBytes} bytes`);
      await fs.copyFile(real, dst);
    }
    // Sockets, FIFOs and devices are not package content: left out.
  }
}
