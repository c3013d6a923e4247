import { subjectFor, type IntegrationCallEvent, type IntegrationLogEntry } from '@autoweave/contracts';
import type { Bus } from '@autoweave/messaging';
import { currentCorrelationId, singleMetric, type Registry } from '@autoweave/observability';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { IntegrationLog } from '../insight/integration-log.js';

export interface CallRecord {
  integrationId: string;
  action: string;
  /** `ok` or the error code. */
  outcome: string;
  status?: number;
  durationMs: number;
  error?: { code: string; message: string };
}

const BREAKER_STATE_VALUE = { closed: 0, halfOpen: 1, open: 2 } as const;

/**
 * What every call leaves behind: Prometheus metrics, an event on
 * `integration.<id>.request` (and `.error` on failure), and a log entry in
 * INTEGRATION_LOGS. None of them carries parameter values or secrets.
 */
export class CallTelemetry {
  private readonly requests: Counter<'integration' | 'action' | 'outcome'>;
  private readonly duration: Histogram<'integration' | 'action'>;
  private readonly breakerState: Gauge<'integration'>;
  /** Events waiting for the end of this I/O phase: subject, event, subject, event, ... */
  private outbox: Array<string | IntegrationCallEvent> = [];

  constructor(
    registry: Registry,
    private readonly bus: Bus,
    private readonly log: IntegrationLog,
  ) {
    this.requests = singleMetric(registry, 'integration_requests_total', () =>
      new Counter({ name: 'integration_requests_total', help: 'Calls of integrations by outcome (ok or the error code)', labelNames: ['integration', 'action', 'outcome'] as const, registers: [registry] }),
    );
    this.duration = singleMetric(registry, 'integration_request_duration_seconds', () =>
      new Histogram({
        name: 'integration_request_duration_seconds',
        help: 'Duration of integration calls, including rate-limit waits',
        labelNames: ['integration', 'action'] as const,
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
    );
    this.breakerState = singleMetric(registry, 'integration_breaker_state', () =>
      new Gauge({ name: 'integration_breaker_state', help: 'Circuit breaker per integration: 0 closed, 1 half-open, 2 open', labelNames: ['integration'] as const, registers: [registry] }),
    );
  }

  record(call: CallRecord): void {
    this.requests.inc({ integration: call.integrationId, action: call.action, outcome: call.outcome });
    this.duration.observe({ integration: call.integrationId, action: call.action }, call.durationMs / 1000);
    const correlationId = currentCorrelationId();
    const at = new Date().toISOString();
    const event: IntegrationCallEvent = { ...call, at, ...(correlationId ? { correlationId } : {}) };
    this.publishSoon(subjectFor.integrationRequest(call.integrationId), event);
    if (call.outcome !== 'ok') this.publishSoon(subjectFor.integrationError(call.integrationId), event);
    this.log.write(this.logEntry(call, at, correlationId));
  }

  breakerChanged(integrationId: string, state: keyof typeof BREAKER_STATE_VALUE): void {
    this.breakerState.set({ integration: integrationId }, BREAKER_STATE_VALUE[state]);
  }

  private logEntry(call: CallRecord, ts: string, correlationId: string | undefined): IntegrationLogEntry {
    const level = call.outcome === 'ok' ? 'info' : call.outcome === 'VALIDATION' ? 'warn' : 'error';
    return {
      ts,
      level,
      integrationId: call.integrationId,
      kind: 'request',
      action: call.action,
      outcome: call.outcome,
      ...(call.status === undefined ? {} : { status: call.status }),
      durationMs: call.durationMs,
      ...(call.error ? { message: call.error.message } : {}),
      ...(correlationId ? { correlationId } : {}),
    };
  }

  /**
   * Events wait for the end of the current I/O phase and leave together:
   * nats.js writes to the socket once per microtask turn that published, so
   * an event sent on its own costs a socket write per call (see docs/PERFORMANCE.md).
   */
  private publishSoon(subject: string, event: IntegrationCallEvent): void {
    this.outbox.push(subject, event);
    if (this.outbox.length === 2) setImmediate(this.sendEvents);
  }

  private readonly sendEvents = (): void => {
    const outbox = this.outbox;
    this.outbox = [];
    for (let i = 0; i < outbox.length; i += 2) {
      try {
        // The correlation id is in the payload, so no headers to encode.
        this.bus.publish(outbox[i] as string, outbox[i + 1], false);
      } catch {
        // Events are best effort; the reply already tells the caller.
      }
    }
  };
}
