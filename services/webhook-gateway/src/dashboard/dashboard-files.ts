import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

/** One built file, held in memory with its gzip form and ETag. */
export interface DashboardFile {
  body: Buffer;
  gzip: Buffer | undefined;
  type: string;
  etag: string;
  /** Content-hashed file names (assets/) never change: cached for a year. */
  immutable: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The build is a few hundred kB; anything near this is not a dashboard build. */
const MAX_TOTAL_BYTES = 32 * 1024 * 1024;

/**
 * The dashboard's built files, read once at start (they are small and do not
 * change while the gateway runs), keyed by URL path (`/index.html`,
 * `/assets/index-<hash>.js`). Only files under the folder are served: the map
 * is built from a directory walk, never from a requested path.
 */
export class DashboardFiles {
  private constructor(private readonly files: ReadonlyMap<string, DashboardFile>) {}

  static load(dir: string): DashboardFiles {
    const files = new Map<string, DashboardFile>();
    let total = 0;
    for (const path of walk(dir)) {
      const body = readFileSync(path);
      total += body.length;
      if (total > MAX_TOTAL_BYTES) throw new Error(`${dir} holds more than ${MAX_TOTAL_BYTES} bytes: not a dashboard build`);
      const type = TYPES[extname(path)] ?? 'application/octet-stream';
      const url = '/' + relative(dir, path).split(sep).join('/');
      files.set(url, {
        body,
        gzip: type.startsWith('text/') || type.startsWith('application/json') || type === 'image/svg+xml' ? gzipSync(body, { level: 9 }) : undefined,
        type,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        immutable: url.startsWith('/assets/'),
      });
    }
    if (!files.has('/index.html')) throw new Error(`${dir} has no index.html`);
    return new DashboardFiles(files);
  }

  get(url: string): DashboardFile | undefined {
    return this.files.get(url);
  }

  get size(): number {
    return this.files.size;
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) return walk(path);
    return stat.isFile() ? [path] : [];
  });
}
