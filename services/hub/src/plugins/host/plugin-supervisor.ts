import { AppError, type HealthState, type PluginConfigDto, type PluginState } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import type { InstalledPlugin } from '../install/plugin-installer.js';
import type { PluginProcess } from '../process/plugin-process.js';

/** What should run for one plugin integration: its pinned config, and a fingerprint that changes when a restart is needed. */
export interface PluginSpec {
  integrationId: string;
  name: string;
  config: PluginConfigDto;
  /** Changes with the package identity, pluginConfig and subscriptions. */
  fingerprint: string;
}

/** A transition to record: the plugin's state (registry) and, when it changed, its health. */
export interface PluginReport {
  state: PluginState;
  version?: string;
  restarts: number;
  lastError?: string;
  health: HealthState;
}

export interface PluginSupervisorDeps {
  install: (spec: PluginSpec) => Promise<InstalledPlugin>;
  spawn: (spec: PluginSpec, installed: InstalledPlugin, onExit: (reason: string) => void) => PluginProcess;
  /** The old version's files may go once the new one serves. */
  replaced: (spec: PluginSpec, installed: InstalledPlugin) => void;
  report: (report: PluginReport) => void;
  restartInitialMs: number;
  restartMaxMs: number;
  logger: Logger;
  random?: () => number;
}

interface Serving {
  proc: PluginProcess;
  spec: PluginSpec;
  version?: string;
  since: number;
}

/**
 * Keeps one plugin running on this replica: installs and starts the desired
 * version, restarts it with exponential backoff when it crashes, exits or
 * hangs (marking it unhealthy meanwhile), and replaces it on an update by
 * starting the new process first and stopping the old one only once the new
 * one serves. Operations run one at a time.
 */
export class PluginSupervisor {
  private serving?: Serving;
  private desired?: PluginSpec;
  private attempt = 0;
  private restarts = 0;
  /** Kept in every report once set: why it last failed, for whoever looks at a plugin that recovered. */
  private lastError?: string;
  private restartTimer?: NodeJS.Timeout;
  private converging = false;
  private ops: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly deps: PluginSupervisorDeps) {}

  /** Makes `spec` the one to run; idempotent (reconciles call it on every registry change). */
  run(spec: PluginSpec): void {
    if (this.stopped) return;
    const unchanged = this.desired?.fingerprint === spec.fingerprint;
    if (!unchanged) this.desired = spec;
    if (unchanged && (this.serving || this.restartTimer || this.converging)) return;
    this.enqueue(() => this.converge());
  }

  /** processData on the serving process. */
  call(data: unknown, timeoutMs: number): Promise<unknown> {
    if (!this.serving) {
      const why = this.restartTimer ? 'is restarting after a failure' : 'is not running';
      return Promise.reject(new AppError('UNAVAILABLE', `plugin ${this.desired?.name ?? ''} ${why}`.replace('  ', ' ')));
    }
    return this.serving.proc.call(data, timeoutMs);
  }

  get isServing(): boolean {
    return this.serving !== undefined;
  }

  /** Stops for good: destroy() and the end of the process; pending restarts are cancelled. */
  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    return this.enqueue(async () => {
      const serving = this.serving;
      this.serving = undefined;
      if (serving) await serving.proc.stop();
      this.emit({ state: 'stopped', ...(serving?.version ? { version: serving.version } : {}), restarts: this.restarts, health: 'unknown' });
    });
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const next = this.ops.then(op, op);
    this.ops = next.catch(() => undefined);
    return next;
  }

  private async converge(): Promise<void> {
    const spec = this.desired;
    if (!spec || this.stopped || this.serving?.spec.fingerprint === spec.fingerprint) return;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.converging = true;
    const previous = this.serving;
    if (!previous) this.emit({ state: 'starting', restarts: this.restarts, health: 'unknown', ...(spec.config.version ? { version: spec.config.version } : {}) });
    let phase: 'install' | 'start' = 'install';
    try {
      const installed = await this.deps.install(spec);
      phase = 'start';
      const proc: PluginProcess = this.deps.spawn(spec, installed, (reason) => this.crashed(proc, reason));
      await proc.start();
      if (this.stopped || this.desired?.fingerprint !== spec.fingerprint) {
        await proc.stop(); // superseded while it started; the next converge runs what is wanted now
        if (!this.stopped) this.enqueue(() => this.converge());
        return;
      }
      const version = installed.manifest.version;
      this.serving = { proc, spec, since: Date.now(), ...(version ? { version } : {}) };
      this.emit({ state: 'running', restarts: this.restarts, health: 'healthy', ...(version ? { version } : {}) });
      this.deps.logger.info({ plugin: spec.name, version, pid: proc.pid, replaced: previous?.version }, previous ? 'plugin updated' : 'plugin running');
      if (previous) {
        await previous.proc.stop();
        this.deps.replaced(spec, installed);
      }
    } catch (err) {
      this.startFailed(spec, previous, err, phase);
    } finally {
      this.converging = false;
    }
  }

  /** The serving process ended on its own: unhealthy, and a restart after the backoff. */
  private crashed(proc: PluginProcess, reason: string): void {
    if (this.serving?.proc !== proc) return; // an old or superseded process
    const { spec, version, since } = this.serving;
    this.serving = undefined;
    // A process that ran steadily for a while starts the backoff over.
    if (Date.now() - since >= this.deps.restartMaxMs) this.attempt = 0;
    this.restarts++;
    this.deps.logger.warn({ plugin: spec.name, reason, restarts: this.restarts }, 'plugin process ended; restarting');
    this.lastError = `process ${reason}`;
    this.emit({ state: 'restarting', restarts: this.restarts, health: 'unhealthy', ...(version ? { version } : {}) });
    this.scheduleRetry();
  }

  private startFailed(spec: PluginSpec, previous: Serving | undefined, err: unknown, phase: 'install' | 'start'): void {
    if (this.stopped) return;
    const message = err instanceof Error ? err.message : String(err);
    this.deps.logger.warn({ plugin: spec.name, phase, err: message }, 'plugin did not start');
    if (previous && this.serving === previous) {
      // An update that failed: the old version keeps serving while the new one is retried.
      this.lastError = `update to ${spec.config.version ?? 'the new config'} failed: ${message}`;
      this.emit({ state: 'running', restarts: this.restarts, health: 'degraded', ...(previous.version ? { version: previous.version } : {}) });
    } else {
      this.restarts += phase === 'start' ? 1 : 0;
      this.lastError = message;
      this.emit({ state: phase === 'install' ? 'failed' : 'restarting', restarts: this.restarts, health: 'unhealthy' });
    }
    this.scheduleRetry();
  }

  private emit(report: Omit<PluginReport, 'lastError'>): void {
    this.deps.report({ ...report, ...(this.lastError ? { lastError: this.lastError } : {}) });
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    this.attempt++;
    const ceiling = Math.min(this.deps.restartMaxMs, this.deps.restartInitialMs * 2 ** (this.attempt - 1));
    // Half fixed, half jitter: never a tight loop, and replicas that failed together spread out.
    const delay = Math.round(ceiling / 2 + ((this.deps.random ?? Math.random)() * ceiling) / 2);
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.enqueue(() => this.converge());
    }, delay);
    this.restartTimer.unref();
  }
}
