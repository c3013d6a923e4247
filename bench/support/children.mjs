// The child processes of a benchmark: the services under test (services/<name>/dist/main.js, as built)
// and the helper servers in bench/support, each in its own process so that the bench's own load
// generator does not share their event loop. A bench keeps them in one ChildProcesses and stops them
// all in its `finally`.
import { fork, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const supportDir = dirname(fileURLToPath(import.meta.url));
const servicesDir = join(supportDir, '../../services');

/**
 * Node flags for a service from an environment variable such as HUB_NODE_ARGS, split on spaces
 * (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" profiles that service under load).
 */
export const nodeArgsFrom = (variable) => (process.env[variable] ?? '').split(' ').filter(Boolean);

/** Sends SIGTERM and resolves once the child has exited (at once if it already has). */
export const stopChild = (child) =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });

export class ChildProcesses {
  #children = [];

  /**
   * Forks bench/support/<file> with an IPC channel and resolves with the child and the first message
   * it sends (its port, or that it is ready); rejects if it exits before sending one.
   */
  fork(file, args = []) {
    return new Promise((resolve, reject) => {
      const child = fork(join(supportDir, file), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      this.#children.push(child);
      child.once('message', (message) => resolve({ child, message }));
      child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
    });
  }

  /**
   * Starts services/<name>/dist/main.js with LOG_LEVEL=warn and `env` over this process's environment.
   * `stdout: process.stderr` keeps a bench's stdout for its one JSON line.
   */
  service(name, env, { nodeArgs = [], stdout = 'inherit' } = {}) {
    const child = spawn(process.execPath, [...nodeArgs, join(servicesDir, name, 'dist/main.js')], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', stdout, 'inherit'],
    });
    this.#children.push(child);
    return child;
  }

  /** Stops every child started here. */
  stopAll() {
    return Promise.all(this.#children.map(stopChild));
  }
}
