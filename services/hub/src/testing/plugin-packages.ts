import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

/**
 * Real plugin packages for the plugin host's tests: written to folders,
 * packed with `npm pack`, served by a local HTTP server both as plain
 * tarball URLs and as a minimal npm registry (packument + tarball).
 */

const run = promisify(execFile);

export interface PluginPackage {
  name: string;
  version: string;
  /** The module's source (CommonJS unless `type: 'module'`). */
  code: string;
  /** package.json `autoweave` field. */
  autoweave?: Record<string, unknown>;
  type?: 'module' | 'commonjs';
  /** Other files, by path relative to the package folder. */
  files?: Record<string, string>;
}

/** Writes the package into `dir` (created) and returns the folder. */
export async function writePluginPackage(dir: string, pkg: PluginPackage): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const manifest = {
    name: pkg.name,
    version: pkg.version,
    main: 'index.js',
    ...(pkg.type ? { type: pkg.type } : {}),
    autoweave: { plugin: true, ...pkg.autoweave },
  };
  await fs.writeFile(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  await fs.writeFile(path.join(dir, 'index.js'), pkg.code);
  for (const [file, content] of Object.entries(pkg.files ?? {})) {
    await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await fs.writeFile(path.join(dir, file), content);
  }
  return dir;
}

export interface Packed {
  file: string;
  bytes: Buffer;
  integrity: string;
}

/** `npm pack` of a package folder into `dest`. */
export async function npmPack(dir: string, dest: string): Promise<Packed> {
  await fs.mkdir(dest, { recursive: true });
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', dest], { cwd: dir, env });
  const file = path.join(dest, stdout.trim().split('\n').pop()!.trim());
  const bytes = await fs.readFile(file);
  return { file, bytes, integrity: integrityOf(bytes) };
}

export function integrityOf(bytes: Buffer): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

/** A gzipped tar with the given entries as they are: for archives npm pack would never make (path escapes, links). */
export function craftTarball(entries: Array<{ path: string; content?: string; type?: 'file' | 'symlink'; linkTarget?: string }>): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data = Buffer.from(entry.content ?? '');
    const header = Buffer.alloc(512);
    header.write(entry.path, 0, 100, 'utf8');
    header.write('0000644\0', 100, 'latin1');
    header.write('0000000\0', 108, 'latin1');
    header.write('0000000\0', 116, 'latin1');
    const size = entry.type === 'symlink' ? 0 : data.length;
    header.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
    header.write('00000000000\0', 136, 'latin1');
    header.write(entry.type === 'symlink' ? '2' : '0', 156, 'latin1');
    if (entry.linkTarget) header.write(entry.linkTarget, 157, 100, 'utf8');
    header.write('ustar\0', 257, 'latin1');
    header.write('00', 263, 'latin1');
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    blocks.push(header);
    if (size > 0) blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

export interface PackageServer {
  url: string;
  /** npm registry URL (for AUTOWEAVE_PLUGINS_NPM_REGISTRY). */
  registry: string;
  /** Serves `bytes` at `<url>/files/<name>`; returns that URL. */
  serveFile(name: string, bytes: Buffer): string;
  /** Publishes a version of a package in the registry. */
  publish(name: string, version: string, packed: Packed): void;
  requests: string[];
  close(): Promise<void>;
}

/** A local HTTP server for tarball URLs and a minimal npm registry. */
export async function startPackageServer(): Promise<PackageServer> {
  const files = new Map<string, Buffer>();
  const packages = new Map<string, Map<string, Packed>>();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = decodeURIComponent(req.url ?? '/');
    requests.push(url);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (url.startsWith('/files/')) {
      const bytes = files.get(url.slice('/files/'.length));
      if (!bytes) return void res.writeHead(404).end();
      return void res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes);
    }
    if (url.startsWith('/registry/')) {
      const rest = url.slice('/registry/'.length);
      const tarball = /^(.+)\/-\/(.+)-(\d+\.\d+\.\d+)\.tgz$/.exec(rest);
      if (tarball) {
        const packed = packages.get(tarball[1]!)?.get(tarball[3]!);
        if (!packed) return void res.writeHead(404).end();
        return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(packed.bytes);
      }
      const versions = packages.get(rest);
      if (!versions) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
      const basename = rest.split('/').pop();
      const packument = {
        name: rest,
        'dist-tags': { latest: [...versions.keys()].pop() },
        versions: Object.fromEntries(
          [...versions].map(([version, packed]) => [
            version,
            { name: rest, version, dist: { tarball: `${base}/registry/${rest}/-/${basename}-${version}.tgz`, integrity: packed.integrity } },
          ]),
        ),
      };
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(packument));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    registry: `${url}/registry/`,
    requests,
    serveFile(name, bytes) {
      files.set(name, bytes);
      return `${url}/files/${name}`;
    },
    publish(name, version, packed) {
      if (!packages.has(name)) packages.set(name, new Map());
      packages.get(name)!.set(version, packed);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Plugin sources used by the tests: each a class with initialize/processData/destroy (CommonJS). */
export const PLUGIN_CODE = {
  /** Echoes, reports its version and config, re-publishes events it receives, announces destroy(). */
  echo: (version: string) => `
module.exports = class Echo {
  async initialize({ eventBus, logger, config, secrets }) {
    this.bus = eventBus;
    this.config = config;
    this.secrets = secrets;
    logger.info('echo starting', { greeting: config.greeting });
    await eventBus.subscribe('orders.*', async (data, meta) => {
      await eventBus.publish(eventBus.namespace + '.seen', { topic: meta.topic, data, version: '${version}' });
    });
  }
  async processData(data) {
    const key = this.secrets.apiKey;
    return { echoed: data, greeting: this.config.greeting ?? null, version: '${version}', pid: process.pid, apiKeyLength: key ? key.length : 0 };
  }
  async destroy() {
    await this.bus.publish(this.bus.namespace + '.destroyed', { version: '${version}' });
  }
};
`,
  throws: `
module.exports = class Thrower {
  async processData(data) {
    if (data.ok) return { fine: true };
    throw new Error('cannot process ' + JSON.stringify(data));
  }
};
`,
  exits: `
module.exports = class Quitter {
  async processData(data) {
    if (data.exit) process.exit(3);
    return { alive: true, pid: process.pid };
  }
};
`,
  loops: `
module.exports = class Spinner {
  async processData(data) {
    if (data.spin) for (;;) {}
    return { alive: true, pid: process.pid };
  }
};
`,
  /** Tries what the permission model must deny: reading outside its folder, spawning a process. */
  snoops: `
const fs = require('fs');
module.exports = class Snoop {
  async processData(data) {
    if (data.spawn) { require('child_process').execSync('id'); return { spawned: true }; }
    if (data.own) return { own: JSON.parse(fs.readFileSync(__dirname + '/package.json', 'utf8')).name };
    return { stolen: fs.readFileSync(data.file, 'utf8') };
  }
};
`,
  /** Publishes and subscribes where it did not declare it may. */
  trespasses: `
module.exports = class Trespasser {
  async initialize({ eventBus }) { this.bus = eventBus; }
  async processData(data) {
    const out = {};
    try { await this.bus.publish(data.topic, { from: 'trespasser' }); out.published = true; } catch (e) { out.publishError = { message: e.message, code: e.code }; }
    if (data.pattern) {
      try { await this.bus.subscribe(data.pattern, () => {}); out.subscribed = true; } catch (e) { out.subscribeError = { message: e.message, code: e.code }; }
    }
    return out;
  }
};
`,
  /** Allocates until the heap cap stops it. */
  hogs: `
module.exports = class Hog {
  async processData(data) {
    if (!data.hog) return { alive: true, pid: process.pid };
    const kept = [];
    for (;;) kept.push(new Array(1e6).fill(kept.length));
  }
};
`,
  failsToStart: `
module.exports = class Broken {
  async initialize() { throw new Error('no database configured'); }
  async processData() { return {}; }
};
`,
};
