import { BUCKETS, INTEGRATION_EVENTS, type HealthChangedEvent, type HealthProbeResult, type HealthState } from '@autoweave/contracts';
import type { KV } from '@autoweave/messaging';
import type { Logger } from '@autoweave/observability';
import type { IntegrationLog } from '../insight/integration-log.js';
import type { StoredIntegration } from '../registry/integration-record.js';
import type { RegistrySnapshot } from '../registry/registry-snapshot.js';
import type { HealthProber } from './health-prober.js';

export interface HealthMonitorDeps {
  snapshot: RegistrySnapshot;
  prober: HealthProber;
  /** The `health_leases` bucket. */
  leases: KV;
  setHealth: (id: string, health: HealthState) => Promise<HealthState>;
  publish: (subject: string, data: unknown) => void;
  log: IntegrationLog;
  logger: Logger;
  tickMs?: number;
}

/**
 * Runs each integration's periodic probe (`config.healthCheck.interval`) and
 * turns results into health transitions. With several hub replicas, exactly
 * one runs a given probe: the one whose compare-and-set moves the key `<id>`
 * of the health_leases bucket to the current interval slot.
 */
export class HealthMonitor {
  private timer?: NodeJS.Timeout;
  private readonly running = new Set<string>();

  constructor(private readonly deps: HealthMonitorDeps) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.deps.tickMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Probes now and records the result (used by `integration.admin.test` too). */
  async probeAndRecord(stored: StoredIntegration): Promise<HealthProbeResult> {
    const probe = await this.deps.prober.probe(stored);
    const health: HealthState = probe.healthy ? 'healthy' : 'unhealthy';
    this.deps.log.write({
      ts: probe.checkedAt,
      level: probe.healthy ? 'info' : 'warn',
      integrationId: stored.record.id,
      kind: 'health',
      action: probe.target,
      outcome: probe.healthy ? 'ok' : 'UNAVAILABLE',
      ...(probe.status === undefined ? {} : { status: probe.status }),
      durationMs: probe.latencyMs,
      ...(probe.error ? { message: probe.error } : {}),
    });
    if (health !== stored.record.health) {
      const from = await this.deps.setHealth(stored.record.id, health).catch(() => stored.record.health);
      if (from !== health) {
        const event: HealthChangedEvent = { id: stored.record.id, name: stored.record.name, from, to: health, probe };
        this.deps.publish(INTEGRATION_EVENTS.healthChanged, event);
        this.deps.logger.info({ integration: stored.record.id, from, to: health }, 'integration health changed');
      }
    }
    return probe;
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    for (const stored of this.deps.snapshot.all()) {
      const interval = (stored.record.config.healthCheck as { interval?: number } | undefined)?.interval;
      if (!interval || stored.record.status === 'disabled' || this.running.has(stored.record.id)) continue;
      const slot = Math.floor(now / interval);
      void this.runSlot(stored, slot);
    }
  }

  private async runSlot(stored: StoredIntegration, slot: number): Promise<void> {
    const id = stored.record.id;
    if (!(await this.takeLease(id, slot))) return;
    this.running.add(id);
    try {
      await this.probeAndRecord(this.deps.snapshot.get(id) ?? stored);
    } catch (err) {
      this.deps.logger.warn({ integration: id, err: (err as Error).message }, 'health probe failed to run');
    } finally {
      this.running.delete(id);
    }
  }

  /** True for exactly one caller per (integration, slot) across replicas. */
  private async takeLease(id: string, slot: number): Promise<boolean> {
    try {
      const entry = await this.deps.leases.get(id);
      if (entry && entry.operation === 'PUT' && Number(entry.string()) >= slot) return false;
      if (entry) await this.deps.leases.update(id, String(slot), entry.revision);
      else await this.deps.leases.create(id, String(slot));
      return true;
    } catch {
      return false; // another replica moved the lease first
    }
  }
}

export const HEALTH_LEASES_BUCKET = { name: BUCKETS.healthLeases, history: 1 } as const;
