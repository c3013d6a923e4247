import { AppError, INTEGRATION_EVENTS, type HealthChangedEvent, type HealthState, type PluginRuntimeStatus } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import type { PluginReport } from './plugin-supervisor.js';

export interface PluginStatusReporterDeps {
  /** Writes the plugin state and health in one registry write; resolves to the health before it. */
  record: (id: string, status: PluginRuntimeStatus, health: HealthState) => Promise<HealthState>;
  publish: (subject: string, data: unknown) => void;
  replica: string;
  logger: Logger;
}

/**
 * Records what the supervisors report: the plugin's state in its registry
 * record, its health, and `integration.health.changed` on a health change.
 * Writes for one plugin happen in order; a plugin deleted meanwhile is skipped.
 */
export class PluginStatusReporter {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly deps: PluginStatusReporterDeps) {}

  report(id: string, name: string, report: PluginReport): Promise<void> {
    const previous = this.chains.get(id) ?? Promise.resolve();
    const next = previous.then(() => this.write(id, name, report));
    const tail = next.catch(() => undefined);
    this.chains.set(id, tail);
    void tail.then(() => {
      if (this.chains.get(id) === tail) this.chains.delete(id);
    });
    return next;
  }

  /** Resolves once every write reported so far is done. */
  async settled(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  private async write(id: string, name: string, report: PluginReport): Promise<void> {
    const at = new Date().toISOString();
    const status: PluginRuntimeStatus = {
      state: report.state,
      ...(report.version ? { version: report.version } : {}),
      replica: this.deps.replica,
      restarts: report.restarts,
      ...(report.lastError ? { lastError: report.lastError } : {}),
      since: at,
    };
    try {
      const from = await this.deps.record(id, status, report.health);
      if (from !== report.health) {
        const event: HealthChangedEvent = {
          id,
          name,
          from,
          to: report.health,
          probe: {
            integrationId: id,
            healthy: report.health === 'healthy',
            latencyMs: 0,
            target: `plugin process (${report.state})`,
            checkedAt: at,
            ...(report.lastError ? { error: report.lastError } : {}),
          },
        };
        this.deps.publish(INTEGRATION_EVENTS.healthChanged, event);
      }
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return; // deleted: nothing to record
      this.deps.logger.warn({ integration: id, err: (err as Error).message }, 'could not record the plugin state');
    }
  }
}
