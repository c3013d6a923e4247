import { createHash, randomUUID } from 'node:crypto';
import { AppError, EVENTS_PREFIX, subjectFilter } from '@autoweave/contracts';
import { decodeJson, type NatsConnection, type Subscription } from '@autoweave/messaging';
import type { Logger } from '@autoweave/observability';
import type { Counter } from 'prom-client';
import { inNamespace, isTopicPattern, patternCovers } from './topic-patterns.js';

/** What a plugin process may do on the bus, through its host. */
export interface PluginBusPort {
  /** Publishes `data` on `events.<topic>`; refused (UNAUTHORIZED) outside the plugin's namespace. */
  publish(topic: string, data: unknown): Promise<void>;
  /** Delivers events matching `pattern`; refused unless a declared subscription covers it. Returns the subscription id. */
  subscribe(pattern: string, deliver: (topic: string, data: unknown) => void): string;
  unsubscribe(sub: string): void;
  /** Ends every subscription (the process is gone). */
  close(): void;
}

export interface PluginBusProxyDeps {
  integrationId: string;
  name: string;
  /** `plugins.<token>`: publishing is allowed below it. */
  namespace: string;
  /** The subscriptions the plugin's integration declares (config.subscriptions). */
  subscriptions: readonly string[];
  events: { publish(topic: string, data: unknown): Promise<unknown> };
  nc: NatsConnection;
  logger: Logger;
  refusals: Counter<'plugin' | 'kind'>;
}

/**
 * A plugin's eventBus, held by the host: the plugin never touches NATS. It
 * may publish only under its own namespace and subscribe only to what its
 * integration declared; anything else is refused with UNAUTHORIZED (the
 * plugin's call rejects) and logged here as a warning.
 *
 * Subscriptions use one queue group per (plugin, pattern), so while an update
 * runs the old and new process side by side (or two replicas briefly both
 * hold the plugin), each event still reaches one of them, not both.
 */
export class PluginBusProxy implements PluginBusPort {
  private readonly subs = new Map<string, Subscription>();

  constructor(private readonly deps: PluginBusProxyDeps) {}

  async publish(topic: string, data: unknown): Promise<void> {
    if (!inNamespace(topic, this.deps.namespace)) {
      throw this.refuse('publish', `publish to "${String(topic)}" refused: plugin "${this.deps.name}" may publish only under ${this.deps.namespace}.>`, { topic: String(topic) });
    }
    await this.deps.events.publish(topic, data);
  }

  subscribe(pattern: string, deliver: (topic: string, data: unknown) => void): string {
    if (!isTopicPattern(pattern)) throw this.refuse('subscribe', `subscribe to "${String(pattern)}" refused: not a topic pattern`, { pattern: String(pattern) });
    if (!this.deps.subscriptions.some((declared) => patternCovers(declared, pattern))) {
      const declared = this.deps.subscriptions.length > 0 ? this.deps.subscriptions.join(', ') : 'none';
      throw this.refuse('subscribe', `subscribe to "${pattern}" refused: plugin "${this.deps.name}" declared ${declared}`, { pattern });
    }
    const id = randomUUID();
    const prefix = `${EVENTS_PREFIX}.`;
    const sub = this.deps.nc.subscribe(subjectFilter.events(pattern), {
      queue: `plugin-${this.deps.integrationId}-${createHash('sha256').update(pattern).digest('hex').slice(0, 12)}`,
      callback: (err, msg) => {
        if (err) return this.deps.logger.warn({ plugin: this.deps.name, err: err.message }, 'plugin subscription failed');
        let data: unknown;
        try {
          data = decodeJson(msg.data, Number.MAX_SAFE_INTEGER);
        } catch {
          return; // not JSON: nothing a plugin handler could take
        }
        deliver(msg.subject.startsWith(prefix) ? msg.subject.slice(prefix.length) : msg.subject, data);
      },
    });
    this.subs.set(id, sub);
    return id;
  }

  unsubscribe(sub: string): void {
    this.subs.get(sub)?.unsubscribe();
    this.subs.delete(sub);
  }

  close(): void {
    for (const sub of this.subs.values()) sub.unsubscribe();
    this.subs.clear();
  }

  private refuse(kind: 'publish' | 'subscribe', message: string, fields: Record<string, string>): AppError {
    this.deps.refusals.inc({ plugin: this.deps.name, kind });
    this.deps.logger.warn({ plugin: this.deps.name, integration: this.deps.integrationId, ...fields }, message);
    return new AppError('UNAUTHORIZED', message, fields);
  }
}
