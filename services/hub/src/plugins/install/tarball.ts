import { gunzipSync } from 'node:zlib';
import { AppError } from '@autoweave/contracts';

/** One entry of a package tarball, as the scan saw it. */
export interface TarEntry {
  path: string;
  type: 'file' | 'directory';
  size: number;
}

export interface TarballLimits {
  /** Largest total of unpacked file sizes (and of the gunzipped archive). */
  maxBytes: number;
  maxEntries?: number;
}

export interface ScannedTarball {
  entries: TarEntry[];
  /** The first path segment all entries share (`package` for npm pack). */
  top: string;
}

const BLOCK = 512;
const DEFAULT_MAX_ENTRIES = 20_000;

/**
 * Reads a gzipped tar (npm pack's format: ustar, with pax or GNU long names)
 * and refuses what must never reach the disk: absolute paths, `..` segments,
 * links, devices, entries outside the one top folder, and archives over the
 * size or entry limits. It only reads; npm unpacks what passed.
 */
export function scanTarball(gzipped: Buffer, limits: TarballLimits): ScannedTarball {
  let tar: Buffer;
  try {
    tar = gunzipSync(gzipped, { maxOutputLength: limits.maxBytes + 64 * BLOCK });
  } catch (err) {
    const tooBig = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || /Cannot create a Buffer larger/i.test((err as Error).message);
    throw refused(tooBig ? `unpacks to more than ${limits.maxBytes} bytes` : `is not a gzip archive (${(err as Error).message})`);
  }
  const entries: TarEntry[] = [];
  const maxEntries = limits.maxEntries ?? DEFAULT_MAX_ENTRIES;
  let total = 0;
  let longName: string | undefined;
  let pax: Record<string, string> = {};
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break; // end of archive
    if (!checksumOk(header)) throw refused(`has a corrupt header at byte ${offset}`);
    const size = octal(header.subarray(124, 136));
    const typeflag = String.fromCharCode(header[156]!);
    const dataStart = offset + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > tar.length) throw refused('is truncated');
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;

    if (typeflag === 'x') {
      pax = { ...pax, ...parsePax(tar.subarray(dataStart, dataEnd)) };
      continue;
    }
    if (typeflag === 'g') continue; // global pax header: nothing we use
    if (typeflag === 'L') {
      longName = cString(tar.subarray(dataStart, dataEnd));
      continue;
    }
    const rawPath = pax.path ?? longName ?? ustarPath(header);
    const entrySize = pax.size !== undefined ? Number(pax.size) : size;
    longName = undefined;
    pax = {};

    const type = typeflag === '5' ? 'directory' : typeflag === '0' || typeflag === '\0' || typeflag === '7' ? 'file' : undefined;
    if (!type) throw refused(`contains "${rawPath}", a ${describeType(typeflag)}; only files and folders are allowed`);
    const entryPath = checkPath(rawPath);
    if (++entries.length > maxEntries) throw refused(`has more than ${maxEntries} entries`);
    entries[entries.length - 1] = { path: entryPath, type, size: type === 'file' ? entrySize : 0 };
    total += type === 'file' ? entrySize : 0;
    if (total > limits.maxBytes) throw refused(`unpacks to more than ${limits.maxBytes} bytes`);
  }
  const tops = new Set(entries.map((e) => e.path.split('/')[0]!));
  if (tops.size !== 1) throw refused(`must hold one top folder (npm pack makes "package/"), found ${[...tops].slice(0, 5).join(', ') || 'nothing'}`);
  const top = [...tops][0]!;
  if (!entries.some((e) => e.type === 'file' && e.path === `${top}/package.json`)) throw refused(`has no ${top}/package.json`);
  return { entries, top };
}

/** Normalises an entry path and refuses one that could land outside the folder it is unpacked in. */
function checkPath(raw: string): string {
  const path = raw.replace(/\/+$/, '');
  if (path === '' || path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.includes('\\') || path.includes('\0')) {
    throw refused(`contains the path "${raw}", which is absolute or malformed`);
  }
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw refused(`contains the path "${raw}", which escapes the package folder`);
  return segments.join('/');
}

function refused(why: string): AppError {
  return new AppError('VALIDATION', `the plugin tarball ${why}`);
}

function ustarPath(header: Buffer): string {
  const name = cString(header.subarray(0, 100));
  const magic = header.subarray(257, 262).toString('latin1');
  const prefix = magic === 'ustar' ? cString(header.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

function octal(field: Buffer): number {
  // Base-256 (GNU) sizes set the high bit; no package needs a file that large.
  if (field[0]! & 0x80) throw refused('has an entry too large to be a package file');
  const text = cString(field).trim();
  const value = text === '' ? 0 : Number.parseInt(text, 8);
  if (!Number.isFinite(value) || value < 0) throw refused('has a malformed size field');
  return value;
}

function checksumOk(header: Buffer): boolean {
  const stored = octal(header.subarray(148, 156));
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum === stored;
}

/** pax extended header records: "<len> <key>=<value>\n". */
function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const len = Number.parseInt(data.subarray(pos, space).toString('latin1'), 10);
    if (!Number.isInteger(len) || len <= 0 || pos + len > data.length) throw refused('has a malformed pax header');
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

function describeType(flag: string): string {
  switch (flag) {
    case '1':
      return 'hard link';
    case '2':
      return 'symbolic link';
    case '3':
    case '4':
      return 'device';
    case '6':
      return 'FIFO';
    default:
      return `entry of type "${flag}"`;
  }
}
