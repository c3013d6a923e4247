import { createHash } from 'node:crypto';
import {
  AppError,
  PluginCallDto,
  QUEUE_GROUPS,
  fail,
  ok,
  pluginToken,
  subjectFor,
  validateDto,
  type PluginConfigDto,
} from '@autoweave/contracts';
import { decodeJson, encodeJson, type NatsConnection, type Subscription } from '@autoweave/messaging';
import type { Logger } from '@autoweave/observability';
import type { Counter } from 'prom-client';
import type { StoredIntegration } from '../../registry/integration-record.js';
import type { RegistrySnapshot } from '../../registry/registry-snapshot.js';
import { PluginBusProxy } from '../bus/plugin-bus-proxy.js';
import type { InstalledPlugin, PluginInstaller } from '../install/plugin-installer.js';
import type { PluginSettings } from '../plugin-settings.js';
import { PluginProcess } from '../process/plugin-process.js';
import type { PluginLeases } from './plugin-leases.js';
import type { PluginStatusReporter } from './plugin-status-reporter.js';
import { PluginSupervisor, type PluginSpec } from './plugin-supervisor.js';

export interface PluginHostDeps {
  settings: PluginSettings;
  installer: PluginInstaller;
  snapshot: RegistrySnapshot;
  /** A stored config with its secrets in clear (for the plugin's initialize). */
  reveal: (stored: StoredIntegration) => Record<string, unknown>;
  leases: PluginLeases;
  reporter: PluginStatusReporter;
  nc: NatsConnection;
  events: { publish(topic: string, data: unknown): Promise<unknown> };
  refusals: Counter<'plugin' | 'kind'>;
  maxMessageBytes: number;
  logger: Logger;
}

/** Installs of deleted integrations younger than this are left alone at start (a replica sharing the folder may be registering them). */
const ORPHAN_MIN_AGE_MS = 10 * 60 * 1000;

/**
 * This replica's plugin host. It follows the registry (its snapshot): for
 * every active plugin integration it tries to take the plugin's lease; the
 * replica holding it runs the plugin (a supervisor with its process) and
 * answers `plugin.call.<id>` for it. A disabled or inactive plugin is
 * stopped, a deleted one stopped and uninstalled (every replica removes its
 * files), a changed config replaces the process. Leases are renewed on a
 * timer; a replica that stops renewing loses its plugins to another.
 */
export class PluginHost {
  private readonly supervisors = new Map<string, PluginSupervisor>();
  private readonly callSubs = new Map<string, Subscription>();
  private readonly reconciling = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private timer?: NodeJS.Timeout;
  private unwatch?: () => void;
  private stopping = false;

  constructor(private readonly deps: PluginHostDeps) {}

  get enabled(): boolean {
    return this.deps.installer.enabled;
  }

  start(): void {
    if (!this.enabled) return;
    this.unwatch = this.deps.snapshot.onChange((id, stored) => {
      if (!stored || stored.record.type === 'plugin' || this.supervisors.has(id)) this.schedule(id);
    });
    const renewEvery = Math.max(100, Math.floor(this.deps.settings.leaseMs / 3));
    this.timer = setInterval(() => this.tick(), renewEvery);
    this.timer.unref();
    this.tick();
    const known = new Set(this.deps.snapshot.all().map((s) => s.record.id));
    void this.deps.installer.removeOrphans(known, ORPHAN_MIN_AGE_MS).catch((err: Error) => this.deps.logger.warn({ err: err.message }, 'could not clean plugin installs'));
  }

  /** Stops every plugin this replica runs and releases their leases, so another replica takes them over at once. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.unwatch?.();
    await Promise.allSettled([...this.reconciling.values()]);
    for (const sub of this.callSubs.values()) sub.unsubscribe();
    this.callSubs.clear();
    const ids = [...this.supervisors.keys()];
    await Promise.allSettled(ids.map((id) => this.supervisors.get(id)!.stop()));
    this.supervisors.clear();
    await this.deps.reporter.settled();
    await Promise.allSettled(ids.map((id) => this.deps.leases.release(id)));
  }

  /** The supervisor of a plugin this replica runs now (serving), if any. */
  local(id: string): PluginSupervisor | undefined {
    const supervisor = this.supervisors.get(id);
    return supervisor?.isServing ? supervisor : undefined;
  }

  private tick(): void {
    if (this.stopping) return;
    const ids = new Set([...this.supervisors.keys(), ...this.deps.snapshot.all().filter((s) => s.record.type === 'plugin').map((s) => s.record.id)]);
    for (const id of ids) this.schedule(id);
  }

  /** One reconcile per plugin at a time; a change during one runs another after it. */
  private schedule(id: string): void {
    if (this.stopping) return;
    if (this.reconciling.has(id)) {
      this.again.add(id);
      return;
    }
    const run = this.reconcile(id)
      .catch((err: Error) => this.deps.logger.warn({ integration: id, err: err.message }, 'plugin reconcile failed'))
      .finally(() => {
        this.reconciling.delete(id);
        if (this.again.delete(id)) this.schedule(id);
      });
    this.reconciling.set(id, run);
  }

  private async reconcile(id: string): Promise<void> {
    const stored = this.deps.snapshot.get(id);
    if (!stored || stored.record.type !== 'plugin') {
      const ran = this.supervisors.has(id);
      await this.stopLocal(id);
      if (ran) await this.deps.leases.release(id);
      if (!stored) await this.deps.installer.uninstall(id);
      return;
    }
    if (stored.record.status !== 'active') {
      if (this.supervisors.has(id)) {
        await this.stopLocal(id);
        await this.deps.leases.release(id);
      }
      return;
    }
    if (!(await this.deps.leases.claim(id))) {
      await this.stopLocal(id);
      return;
    }
    if (this.stopping) return;
    this.supervisorFor(stored).run(specOf(stored, this.deps.reveal(stored)));
    this.subscribeCalls(id);
  }

  private supervisorFor(stored: StoredIntegration): PluginSupervisor {
    const { id, name } = stored.record;
    let supervisor = this.supervisors.get(id);
    if (supervisor) return supervisor;
    const { settings, installer, reporter, logger } = this.deps;
    supervisor = new PluginSupervisor({
      install: async (spec) => (await installer.install(spec.integrationId, spec.config)).installed,
      spawn: (spec, installed, onExit) => this.spawn(spec, installed, onExit),
      replaced: (spec, installed) => {
        void installer.removeOthers(spec.integrationId, [installed.key]).catch(() => undefined);
      },
      report: (report) => void reporter.report(id, name, report),
      restartInitialMs: settings.restartInitialMs,
      restartMaxMs: settings.restartMaxMs,
      logger,
    });
    this.supervisors.set(id, supervisor);
    return supervisor;
  }

  private spawn(spec: PluginSpec, installed: InstalledPlugin, onExit: (reason: string) => void): PluginProcess {
    const { settings, logger } = this.deps;
    const namespace = subjectFor.pluginNamespace(pluginToken(spec.name));
    const pluginLogger = logger.child({ plugin: spec.name, integration: spec.integrationId });
    return new PluginProcess({
      integrationId: spec.integrationId,
      name: spec.name,
      root: installed.root,
      entry: installed.manifest.entry,
      pluginConfig: spec.config.pluginConfig ?? {},
      secrets: spec.config.secrets ?? {},
      namespace,
      memoryMb: settings.memoryMb,
      startTimeoutMs: settings.startTimeoutMs,
      stopTimeoutMs: settings.stopTimeoutMs,
      pingIntervalMs: settings.pingIntervalMs,
      bus: new PluginBusProxy({
        integrationId: spec.integrationId,
        name: spec.name,
        namespace,
        subscriptions: spec.config.subscriptions ?? [],
        events: this.deps.events,
        nc: this.deps.nc,
        logger,
        refusals: this.deps.refusals,
      }),
      logger: pluginLogger,
      onExit,
    });
  }

  private async stopLocal(id: string): Promise<void> {
    this.callSubs.get(id)?.unsubscribe();
    this.callSubs.delete(id);
    const supervisor = this.supervisors.get(id);
    if (!supervisor) return;
    this.supervisors.delete(id);
    await supervisor.stop();
  }

  /** `plugin.call.<id>`: calls from replicas that took an execute request for a plugin this one runs. */
  private subscribeCalls(id: string): void {
    if (this.callSubs.has(id)) return;
    const sub = this.deps.nc.subscribe(subjectFor.pluginCall(id), {
      queue: QUEUE_GROUPS.hub,
      callback: (err, msg) => {
        if (err || !msg.reply) return;
        void (async () => {
          let reply;
          try {
            const dto = await validateDto(PluginCallDto, decodeJson(msg.data, this.deps.maxMessageBytes));
            const supervisor = this.supervisors.get(id);
            if (!supervisor) throw new AppError('UNAVAILABLE', `plugin ${id} is not running on this replica`);
            reply = ok(await supervisor.call(dto.data, dto.timeoutMs ?? this.deps.settings.callTimeoutMs));
          } catch (e) {
            reply = fail(e);
          }
          try {
            msg.respond(encodeJson(reply));
          } catch (e) {
            this.deps.logger.warn({ integration: id, err: (e as Error).message }, 'could not answer a plugin call');
          }
        })();
      },
    });
    this.callSubs.set(id, sub);
  }
}

/** What should run for a stored plugin integration (`revealed`: its config with secrets in clear). */
export function specOf(stored: StoredIntegration, revealed: Record<string, unknown>): PluginSpec {
  const config = revealed as unknown as PluginConfigDto;
  // Secrets are part of it: a rotated credential restarts the plugin with the new one (the hash never leaves the process).
  const identity = JSON.stringify([config.source, config.name, config.version, config.url, config.integrity, config.path, config.pluginConfig ?? {}, config.subscriptions ?? [], config.secrets ?? {}]);
  return {
    integrationId: stored.record.id,
    name: stored.record.name,
    config,
    fingerprint: createHash('sha256').update(identity).digest('hex').slice(0, 24),
  };
}
