import type { EventEmitter } from 'node:events';
import { Counter, Gauge, type Registry } from 'prom-client';

/** Breaker events that are counted, named as opossum emits them. */
export const BREAKER_EVENTS = ['success', 'failure', 'timeout', 'reject', 'open', 'halfOpen', 'close', 'fallback'] as const;
export type BreakerEvent = (typeof BREAKER_EVENTS)[number];

/** Gauge values, ordered by severity so dashboards can alert on `> 0` or `== 2`. */
export const BREAKER_STATE_VALUE = { closed: 0, halfOpen: 1, open: 2 } as const;

/** What metrics need of an opossum circuit; structural so any circuit's type parameters fit. */
export type ObservableCircuit = EventEmitter & { readonly opened: boolean; readonly halfOpen: boolean };

export interface BreakerMetrics {
  readonly events: Counter<'breaker' | 'event'>;
  readonly state: Gauge<'breaker'>;
  /** Starts counting the circuit's events under the given breaker label; idempotent per circuit. */
  attach(name: string, circuit: ObservableCircuit): void;
}

/**
 * Creates (or, on a registry that already has them, reuses) the breaker
 * metrics. Reuse matters because every service module that wires breakers calls
 * this, and prom-client throws on registering a metric name twice.
 */
export function createBreakerMetrics(registry: Registry, prefix = 'autoweave'): BreakerMetrics {
  const events = counterIn(registry, `${prefix}_breaker_events_total`);
  const state = gaugeIn(registry, `${prefix}_breaker_state`);
  const attached = new WeakSet<object>();
  return {
    events,
    state,
    attach(name, circuit) {
      // Attaching twice would count every event twice.
      if (attached.has(circuit)) return;
      attached.add(circuit);
      for (const event of BREAKER_EVENTS) {
        circuit.on(event, () => events.inc({ breaker: name, event }));
      }
      circuit.on('open', () => state.set({ breaker: name }, BREAKER_STATE_VALUE.open));
      circuit.on('halfOpen', () => state.set({ breaker: name }, BREAKER_STATE_VALUE.halfOpen));
      circuit.on('close', () => state.set({ breaker: name }, BREAKER_STATE_VALUE.closed));
      state.set({ breaker: name }, currentStateValue(circuit));
    },
  };
}

function currentStateValue(circuit: ObservableCircuit): number {
  if (circuit.opened) return BREAKER_STATE_VALUE.open;
  if (circuit.halfOpen) return BREAKER_STATE_VALUE.halfOpen;
  return BREAKER_STATE_VALUE.closed;
}

function counterIn(registry: Registry, name: string): Counter<'breaker' | 'event'> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing as Counter<'breaker' | 'event'>;
  if (existing) throw new Error(`metric ${name} is already registered with another type`);
  return new Counter({
    name,
    help: 'Circuit breaker events by breaker and event (success, failure, timeout, reject, open, halfOpen, close, fallback)',
    labelNames: ['breaker', 'event'],
    registers: [registry],
  });
}

function gaugeIn(registry: Registry, name: string): Gauge<'breaker'> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Gauge) return existing as Gauge<'breaker'>;
  if (existing) throw new Error(`metric ${name} is already registered with another type`);
  return new Gauge({
    name,
    help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
    labelNames: ['breaker'],
    registers: [registry],
  });
}
