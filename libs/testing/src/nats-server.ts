import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NatsServerOptions {
  /** Enable JetStream (default true). */
  jetstream?: boolean;
  /** Extra configuration appended to the generated server config file. */
  config?: string;
  /** nats-server binary (default: from PATH). */
  binary?: string;
}

export interface NatsServerHandle {
  url: string;
  port: number;
  storeDir: string;
  /** Stops the server and removes its store. */
  stop(): Promise<void>;
  /** Stops and starts the server on the same port with the same store. */
  restart(): Promise<void>;
  /** What the server logged since it started (its errors: permission and authorization violations). */
  log(): string;
}

/**
 * Starts a private nats-server (from PATH) on a free port with a temporary
 * JetStream store, so tests are hermetic and can run in parallel.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const storeDir = mkdtempSync(join(tmpdir(), 'autoweave-nats-'));
  const configFile = join(storeDir, 'nats.conf');
  const js = options.jetstream !== false;
  const write = (port: number): void =>
    writeFileSync(
      configFile,
      [
        `listen: "127.0.0.1:${port}"`,
        js ? `jetstream { store_dir: "${join(storeDir, 'js')}", max_memory_store: 256MB }` : '',
        options.config ?? '',
      ].join('\n'),
    );
  write(-1);
  const log: string[] = [];
  let child = spawn(options.binary ?? 'nats-server', ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await waitForListening(child, log);
  write(port); // pin the port so a restart comes back where clients reconnect to

  const stopChild = (c: ChildProcess): Promise<void> =>
    new Promise((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    async stop() {
      await stopChild(child);
      rmSync(storeDir, { recursive: true, force: true });
    },
    async restart() {
      await stopChild(child);
      child = spawn(options.binary ?? 'nats-server', ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
      await waitForListening(child, log);
    },
    log: () => log.join(''),
  };
}

function waitForListening(child: ChildProcess, log: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`nats-server did not start within 10 s:\n${output}`)), 10_000);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    child.once('error', (err) =>
      fail(new Error(`cannot run nats-server (${err.message}); install it (apt-get install nats-server) or put it on PATH`)),
    );
    child.once('exit', (code) => fail(new Error(`nats-server exited with ${code}:\n${output}`)));
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Listening for client connections on [^\s]+:(\d+)/.exec(output);
      const ready = /Server is ready/.test(output);
      if (match && ready) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stderr?.removeAllListeners('data');
        log.push(output);
        child.stderr?.on('data', (more: Buffer) => log.push(more.toString()));
        resolve(Number(match[1]));
      }
    });
  });
}
