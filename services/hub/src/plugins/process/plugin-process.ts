import { fork, type ChildProcess } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppError } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import type { PluginBusPort } from '../bus/plugin-bus-proxy.js';
import { isPluginMessage, type ErrorInfo, type HostMessage, type PluginMessage } from './ipc-protocol.js';

/**
 * The runner script. src/ and dist/ sit at the same depth, so this one path
 * names the .mjs in src/ both from the sources (tests) and from the build.
 */
export const RUNNER_PATH = realpathSync(fileURLToPath(new URL('../../../src/plugins/process/plugin-runner.mjs', import.meta.url)));

export interface PluginProcessOptions {
  integrationId: string;
  name: string;
  /** The install folder: the only place the process may read (besides the runner). */
  root: string;
  entry: string;
  pluginConfig: Record<string, unknown>;
  /** The integration's secrets, in clear. */
  secrets: Record<string, unknown>;
  namespace: string;
  memoryMb: number;
  startTimeoutMs: number;
  stopTimeoutMs: number;
  pingIntervalMs: number;
  bus: PluginBusPort;
  logger: Logger;
  /** The process ended without being asked to (crash, exit, kill for hanging); not called after stop(). */
  onExit: (reason: string) => void;
}

/** Events sent to a plugin and not yet handled, past which new ones are dropped (a slow plugin must not grow the hub's memory). */
const MAX_PENDING_EVENTS = 1000;
const OUTPUT_LINE_MAX = 2000;

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (err: AppError) => void;
  timer: NodeJS.Timeout;
}

/**
 * One plugin process, seen from the hub: fork with the permission model and
 * a heap cap, start (load + initialize within a timeout), calls with
 * timeouts, event delivery, liveness pings, and stop (destroy, then kill).
 * A call that times out makes the host ping the process; one that does not
 * answer is hung and is killed, which the supervisor sees as a crash.
 */
export class PluginProcess {
  private child?: ChildProcess;
  private readonly calls = new Map<number, PendingCall>();
  private readonly pongs = new Map<number, () => void>();
  private nextCall = 1;
  private nextPing = 1;
  private awaitingPong?: number;
  private pingTimer?: NodeJS.Timeout;
  private pendingEvents = 0;
  private exited = false;
  private stopping = false;
  private killReason?: string;
  private outOfMemory = false;
  private exitWaiters: Array<() => void> = [];
  private startWaiter?: { resolve: () => void; reject: (err: AppError) => void };
  private destroyWaiter?: () => void;

  constructor(private readonly options: PluginProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && !this.exited && !this.stopping;
  }

  /** Forks the runner, loads the plugin and runs initialize(); rejects (and kills) on failure or timeout. */
  async start(): Promise<void> {
    const o = this.options;
    const root = realpathSync(o.root);
    const child = fork(RUNNER_PATH, [], {
      cwd: root,
      execArgv: [
        '--experimental-permission',
        `--allow-fs-read=${root}`,
        `--allow-fs-read=${RUNNER_PATH}`,
        `--max-old-space-size=${o.memoryMb}`,
        '--disable-warning=ExperimentalWarning',
      ],
      // Nothing of the hub's environment (secrets, NATS credentials) reaches a plugin.
      env: { NODE_ENV: process.env.NODE_ENV ?? 'production' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child = child;
    child.on('message', (message) => this.onMessage(message));
    // 'close', not 'exit': it comes after the output is read, so a last "heap out of memory" line is seen.
    child.on('close', (code, signal) => this.onChildExit(code, signal));
    child.on('error', (err) => o.logger.warn({ err: err.message }, 'plugin process error'));
    this.pipeOutput(child);

    const started = new Promise<void>((resolve, reject) => (this.startWaiter = { resolve, reject }));
    const timer = setTimeout(() => {
      this.startWaiter?.reject(new AppError('TIMEOUT', `plugin ${o.name} did not start within ${o.startTimeoutMs} ms`));
      this.startWaiter = undefined;
      this.kill('start timed out');
    }, o.startTimeoutMs);
    this.send({ t: 'start', entry: o.entry, config: o.pluginConfig, secrets: o.secrets, name: o.name, namespace: o.namespace });
    try {
      await started;
    } catch (err) {
      this.kill('start failed');
      throw err;
    } finally {
      clearTimeout(timer);
    }
    this.pingTimer = setInterval(() => this.tickPing(), o.pingIntervalMs);
    this.pingTimer.unref();
  }

  /** processData(data) in the plugin: its result, or UPSTREAM (it threw), TIMEOUT, UNAVAILABLE (not running). */
  call(data: unknown, timeoutMs: number): Promise<unknown> {
    if (!this.running) return Promise.reject(new AppError('UNAVAILABLE', `plugin ${this.options.name} is not running`));
    const id = this.nextCall++;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.calls.delete(id);
        reject(new AppError('TIMEOUT', `plugin ${this.options.name} did not answer within ${timeoutMs} ms`, { timeoutMs }));
        void this.checkAlive(Math.min(this.options.pingIntervalMs, 2000)).then((alive) => {
          if (!alive) this.kill(`hung: a call timed out after ${timeoutMs} ms and the process did not answer a ping`);
        });
      }, timeoutMs);
      this.calls.set(id, { resolve, reject, timer });
      this.send({ t: 'call', id, data });
    });
  }

  /** An event for one of the plugin's subscriptions. */
  deliver(sub: string, topic: string, data: unknown): void {
    if (!this.running) return;
    if (this.pendingEvents >= MAX_PENDING_EVENTS) {
      this.options.logger.warn({ topic }, `plugin ${this.options.name} has ${MAX_PENDING_EVENTS} events waiting; event dropped`);
      return;
    }
    this.pendingEvents++;
    this.send({ t: 'event', sub, topic, data });
  }

  /** Resolves true when the process answers a ping within `timeoutMs`. */
  checkAlive(timeoutMs: number): Promise<boolean> {
    if (!this.running) return Promise.resolve(false);
    const n = this.nextPing++;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.pongs.delete(n);
        resolve(false);
      }, timeoutMs);
      this.pongs.set(n, () => {
        clearTimeout(timer);
        resolve(true);
      });
      this.send({ t: 'ping', n });
    });
  }

  /**
   * Lets calls in progress finish (up to the stop timeout), calls destroy()
   * (up to the stop timeout), then ends the process, killing it if it lingers.
   */
  async stop(): Promise<void> {
    if (!this.child || this.exited) return;
    this.stopping = true;
    clearInterval(this.pingTimer);
    const { stopTimeoutMs } = this.options;
    const inFlight = [...this.calls.values()].map(
      (c) => new Promise<void>((resolve) => {
        const { resolve: res, reject: rej } = c;
        c.resolve = (v) => (res(v), resolve());
        c.reject = (e) => (rej(e), resolve());
      }),
    );
    if (inFlight.length > 0) await withTimeout(Promise.all(inFlight), stopTimeoutMs);
    const destroyed = new Promise<void>((resolve) => (this.destroyWaiter = resolve));
    this.send({ t: 'destroy' });
    await withTimeout(Promise.race([destroyed, this.exitedPromise()]), stopTimeoutMs);
    if (!this.exited) {
      // The runner exits by itself after destroy(); give it a moment, then force it.
      await withTimeout(this.exitedPromise(), 500);
      if (!this.exited) this.kill('did not exit after destroy');
    }
    await this.exitedPromise();
  }

  /** Ends the process now (SIGKILL). */
  kill(reason: string): void {
    if (!this.child || this.exited) return;
    this.killReason ??= reason;
    this.child.kill('SIGKILL');
  }

  private tickPing(): void {
    if (!this.running) return;
    if (this.awaitingPong !== undefined) {
      this.kill(`hung: no answer to a ping within ${this.options.pingIntervalMs} ms`);
      return;
    }
    const n = this.nextPing++;
    this.awaitingPong = n;
    this.pongs.set(n, () => {
      if (this.awaitingPong === n) this.awaitingPong = undefined;
    });
    this.send({ t: 'ping', n });
  }

  private onMessage(raw: unknown): void {
    if (!isPluginMessage(raw)) return;
    const message = raw as PluginMessage;
    switch (message.t) {
      case 'started':
        this.startWaiter?.resolve();
        this.startWaiter = undefined;
        return;
      case 'start-failed':
        this.startWaiter?.reject(new AppError('UNAVAILABLE', `plugin ${this.options.name} failed to start: ${describe(message.error)}`, { error: message.error }));
        this.startWaiter = undefined;
        return;
      case 'result': {
        const call = this.calls.get(message.id);
        if (!call) return;
        this.calls.delete(message.id);
        clearTimeout(call.timer);
        if (message.ok) call.resolve(message.value);
        else call.reject(new AppError('UPSTREAM', `plugin ${this.options.name} failed: ${describe(message.error)}`, { plugin: this.options.name, error: message.error }));
        return;
      }
      case 'event-done':
        this.pendingEvents = Math.max(0, this.pendingEvents - 1);
        return;
      case 'pong': {
        const waiter = this.pongs.get(message.n);
        this.pongs.delete(message.n);
        waiter?.();
        return;
      }
      case 'log':
        this.log(message.level, message.msg, message.fields);
        return;
      case 'publish':
        this.options.bus.publish(message.topic, message.data).then(
          () => this.send({ t: 'reply', id: message.id, ok: true }),
          (err: unknown) => this.send({ t: 'reply', id: message.id, ok: false, error: errorInfo(err) }),
        );
        return;
      case 'subscribe':
        try {
          const sub = this.options.bus.subscribe(message.pattern, (topic, data) => this.deliver(sub, topic, data));
          this.send({ t: 'reply', id: message.id, ok: true, value: { sub } });
        } catch (err) {
          this.send({ t: 'reply', id: message.id, ok: false, error: errorInfo(err) });
        }
        return;
      case 'unsubscribe':
        this.options.bus.unsubscribe(message.sub);
        this.send({ t: 'reply', id: message.id, ok: true });
        return;
      case 'destroyed':
        if (message.error) this.options.logger.warn({ error: message.error.message }, `plugin ${this.options.name}: destroy() failed`);
        this.destroyWaiter?.();
        return;
    }
  }

  private onChildExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exited = true;
    clearInterval(this.pingTimer);
    this.options.bus.close();
    const reason = this.outOfMemory
      ? `ran out of memory (cap ${this.options.memoryMb} MB)`
      : this.killReason ?? (signal ? `was killed by ${signal}` : `exited with code ${code}`);
    const gone = new AppError('UNAVAILABLE', `plugin ${this.options.name} ${this.stopping ? 'was stopped' : `process ${reason}`}`);
    for (const call of this.calls.values()) {
      clearTimeout(call.timer);
      call.reject(gone);
    }
    this.calls.clear();
    this.startWaiter?.reject(new AppError('UNAVAILABLE', `plugin ${this.options.name} failed to start: process ${reason}`));
    this.startWaiter = undefined;
    this.destroyWaiter?.();
    for (const waiter of this.exitWaiters.splice(0)) waiter();
    if (!this.stopping) this.options.onExit(reason);
  }

  private exitedPromise(): Promise<void> {
    if (this.exited || !this.child) return Promise.resolve();
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  private send(message: HostMessage): void {
    if (!this.child?.connected) return;
    try {
      this.child.send(message);
    } catch (err) {
      this.options.logger.debug({ err: (err as Error).message }, 'could not send to the plugin process');
    }
  }

  /** Lines the plugin writes to stdout/stderr become log lines of the hub, tagged with the plugin. */
  private pipeOutput(child: ChildProcess): void {
    for (const [stream, level] of [[child.stdout, 'info'], [child.stderr, 'warn']] as const) {
      let buffered = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        buffered += chunk;
        if (/heap out of memory|Allocation failed/i.test(buffered)) this.outOfMemory = true;
        const lines = buffered.split('\n');
        buffered = (lines.pop() ?? '').slice(-OUTPUT_LINE_MAX);
        for (const line of lines) if (line.trim()) this.log(level, line.slice(0, OUTPUT_LINE_MAX));
      });
    }
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void {
    const log = this.options.logger;
    const line = String(msg).slice(0, OUTPUT_LINE_MAX);
    if (fields) log[level]({ pluginFields: fields }, line);
    else log[level](line);
  }
}

function describe(error: ErrorInfo | undefined): string {
  if (!error) return 'unknown error';
  return error.code ? `${error.message} (${error.code})` : error.message;
}

function errorInfo(err: unknown): ErrorInfo {
  if (err instanceof AppError) return { message: err.message, name: err.name, code: err.code };
  if (err instanceof Error) return { message: err.message, name: err.name };
  return { message: String(err) };
}

async function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
