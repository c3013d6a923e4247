import { INTEGRATION_EVENTS, type HealthChangedEvent, type HealthProbeResult, type HealthState } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';

export interface VerificationHealthDeps {
  /** Failures in a row that make an integration unhealthy. */
  threshold: number;
  /** The health recorded in the registry (the hub owns it). */
  recordedHealth: (id: string) => HealthState | undefined;
  publish: (subject: string, data: unknown) => void;
  logger: Logger;
  now?: () => number;
}

interface Streak {
  failures: number;
  lastReason: string;
  /** Set once `integration.health.changed` to unhealthy was published for this streak. */
  reported: boolean;
}

/**
 * Consecutive signature/timestamp failures per webhook integration. After
 * `threshold` in a row, `integration.health.changed` (to `unhealthy`) is
 * published once; the next verified webhook ends the streak and, if it was
 * reported, publishes the way back to `healthy`. Counts are per replica: each
 * gateway sees its share of the traffic.
 */
export class VerificationHealth {
  private readonly streaks = new Map<string, Streak>();

  constructor(private readonly deps: VerificationHealthDeps) {}

  failed(integration: { id: string; name: string }, reason: string): void {
    let streak = this.streaks.get(integration.id);
    if (!streak) {
      streak = { failures: 0, lastReason: reason, reported: false };
      this.streaks.set(integration.id, streak);
    }
    streak.failures++;
    streak.lastReason = reason;
    if (streak.reported || streak.failures < this.deps.threshold) return;
    streak.reported = true;
    const recorded = this.deps.recordedHealth(integration.id);
    this.publish(integration, recorded === 'healthy' ? 'healthy' : 'unknown', 'unhealthy', {
      error: `${streak.failures} inbound webhooks in a row failed verification; last: ${reason}`,
    });
  }

  verified(integration: { id: string; name: string }): void {
    if (this.streaks.size === 0) return; // the usual case, on the hot path
    const streak = this.streaks.get(integration.id);
    if (!streak) return;
    this.streaks.delete(integration.id);
    if (streak.reported) this.publish(integration, 'unhealthy', 'healthy', {});
  }

  /** Consecutive failures so far (0 when the last webhook verified). */
  failuresOf(id: string): number {
    return this.streaks.get(id)?.failures ?? 0;
  }

  forget(id: string): void {
    this.streaks.delete(id);
  }

  private publish(integration: { id: string; name: string }, from: HealthState, to: HealthState, extra: { error?: string }): void {
    const probe: HealthProbeResult = {
      integrationId: integration.id,
      healthy: to === 'healthy',
      latencyMs: 0,
      target: 'inbound webhook signatures',
      ...extra,
      checkedAt: new Date(this.deps.now?.() ?? Date.now()).toISOString(),
    };
    const event: HealthChangedEvent = { id: integration.id, name: integration.name, from, to, probe };
    try {
      this.deps.publish(INTEGRATION_EVENTS.healthChanged, event);
    } catch (err) {
      this.deps.logger.warn({ integration: integration.id, err: (err as Error).message }, 'could not publish the health change');
    }
    this.deps.logger[to === 'unhealthy' ? 'warn' : 'info']({ integration: integration.id, from, to, reason: extra.error }, 'inbound webhook health changed');
  }
}
