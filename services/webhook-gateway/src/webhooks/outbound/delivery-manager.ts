import { INTEGRATION_ADMIN, STREAMS } from '@autoweave/contracts';
import type { Bus } from '@autoweave/messaging';
import type { Logger } from '@autoweave/observability';
import { JetStreamApiCodes, JetStreamApiError, type ConsumerInfo, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { WebhookEndpoint, WebhookEndpoints } from '../endpoints.js';
import {
  deliveryConsumerName,
  mutableConsumerConfig,
  newDeliveryConsumer,
  parseConsumerName,
  type DeliverySettings,
} from './consumer-plan.js';
import { EndpointDelivery, type EndpointDeliveryDeps } from './endpoint-delivery.js';
import type { EndpointGuards } from './endpoint-guards.js';
import type { Replays } from './replays.js';

/** After a failure to set up an endpoint's consumer (NATS away), it is tried again after this. */
const RETRY_SETUP_MS = 2000;

export interface DeliveryManagerDeps extends Omit<EndpointDeliveryDeps, 'onGone'> {
  jsm: JetStreamManager;
  js: JetStreamClient;
  bus: Bus;
  endpoints: WebhookEndpoints;
  replays: Replays;
  guards: EndpointGuards;
  logger: Logger;
  settings: DeliverySettings;
  /** When the endpoint's current configuration took effect (ISO): where its new consumer starts. */
  startTimeOf(id: string): string | undefined;
  requestTimeoutMs: number;
}

/**
 * Keeps one delivery running per active webhook endpoint with a url, in step
 * with the registry: on start and on every change of an endpoint it creates
 * or updates the endpoint's durable consumer on EVENTS and starts, updates or
 * stops this replica's EndpointDelivery. Disabled: stopped, the consumer kept
 * (deliveries resume where they stopped when it is enabled again). Deleted or
 * without a url: its consumers are deleted. Changes of one endpoint are
 * applied one at a time, in order.
 */
export class DeliveryManager {
  private readonly deliveries = new Map<string, EndpointDelivery>();
  /** Endpoints that answered 410, by the revision that did: not delivered to until their configuration changes. */
  private readonly gone = new Map<string, number>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly retries = new Map<string, NodeJS.Timeout>();
  /** Integrations that have (or may have) consumers on EVENTS, so one without a url is cleaned up only when needed. */
  private readonly withConsumers = new Set<string>();
  private unsubscribe?: () => void;
  private stopped = false;

  constructor(private readonly deps: DeliveryManagerDeps) {}

  async start(): Promise<void> {
    await this.sweep().catch((err: unknown) =>
      this.deps.logger.warn({ err: (err as Error).message }, 'could not list webhook consumers at start; stale ones stay until the next start'),
    );
    this.unsubscribe = this.deps.endpoints.onChange((id) => this.schedule(id));
    for (const endpoint of this.deps.endpoints.all()) this.schedule(endpoint.id);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    for (const timer of this.retries.values()) clearTimeout(timer);
    await Promise.all([...this.queues.values()]);
    await Promise.all([...this.deliveries.values()].map((d) => d.stop()));
    this.deliveries.clear();
    await this.deps.replays.stopAll();
  }

  /** Whether this replica delivers the endpoint now. */
  isDelivering(id: string): boolean {
    return this.deliveries.has(id);
  }

  private schedule(id: string): void {
    if (this.stopped) return;
    clearTimeout(this.retries.get(id));
    this.retries.delete(id);
    const previous = this.queues.get(id) ?? Promise.resolve();
    const next = previous
      .then(() => this.apply(id))
      .catch((err: unknown) => {
        this.deps.logger.warn({ integrationId: id, err: (err as Error).message }, 'could not set up webhook delivery; retrying');
        if (!this.stopped) this.retries.set(id, setTimeout(() => this.schedule(id), RETRY_SETUP_MS));
      })
      .finally(() => {
        if (this.queues.get(id) === next) this.queues.delete(id);
      });
    this.queues.set(id, next);
  }

  /** Brings this replica and the endpoint's consumer in line with the endpoint as it is now. */
  private async apply(id: string): Promise<void> {
    if (this.stopped) return;
    const endpoint = this.deps.endpoints.get(id);
    if (!endpoint?.url) {
      await this.stopDelivery(id);
      await this.deps.replays.stopFor(id);
      if (this.withConsumers.has(id)) await this.deleteConsumers(id);
      this.withConsumers.delete(id);
      this.deps.guards.forget(id);
      this.gone.delete(id);
      return;
    }
    const goneAt = this.gone.get(id);
    if (goneAt !== undefined && goneAt !== endpoint.revision) this.gone.delete(id);
    if (endpoint.status !== 'active' || this.gone.has(id)) {
      await this.stopDelivery(id);
      await this.deps.replays.stopFor(id);
      return;
    }
    this.withConsumers.add(id);
    await this.ensureConsumer(endpoint);
    const current = this.deliveries.get(id);
    if (current && current.ordered === endpoint.ordered) {
      current.update(endpoint);
    } else {
      await current?.stop();
      const delivery = new EndpointDelivery(deliveryConsumerName(id), endpoint, this.deps.settings.concurrency, {
        ...this.deps,
        onGone: (e) => this.onGone(e),
      });
      this.deliveries.set(id, delivery);
      delivery.start();
      this.deps.logger.info({ integrationId: id, ordered: endpoint.ordered, patterns: endpoint.events }, 'delivering webhooks');
    }
    if (!current) await this.resumeReplays(id);
  }

  private async ensureConsumer(endpoint: WebhookEndpoint): Promise<void> {
    const name = deliveryConsumerName(endpoint.id);
    const existing = await this.consumerInfo(name);
    const wanted = mutableConsumerConfig(endpoint, this.deps.settings);
    if (!existing) {
      try {
        await this.deps.jsm.consumers.add(STREAMS.events.name, newDeliveryConsumer(endpoint, this.deps.settings, this.deps.startTimeOf(endpoint.id)));
        return;
      } catch (err) {
        // Another replica created it first: bring that one up to date below.
        if (!(await this.consumerInfo(name))) throw err;
      }
    }
    const info = existing ?? (await this.consumerInfo(name))!;
    const { filter_subject, max_ack_pending, ack_wait } = info.config;
    if (filter_subject !== wanted.filter_subject || max_ack_pending !== wanted.max_ack_pending || ack_wait !== wanted.ack_wait) {
      // nats-server 2.9 updates these in place: the consumer keeps its position, the new filter applies from the next message.
      await this.deps.jsm.consumers.update(STREAMS.events.name, name, wanted);
      this.deps.logger.info({ integrationId: endpoint.id, filter: wanted.filter_subject }, 'webhook delivery consumer updated');
    }
  }

  private async consumerInfo(name: string): Promise<ConsumerInfo | undefined> {
    try {
      return await this.deps.jsm.consumers.info(STREAMS.events.name, name);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound) return undefined;
      throw err;
    }
  }

  private async stopDelivery(id: string): Promise<void> {
    const delivery = this.deliveries.get(id);
    if (!delivery) return;
    this.deliveries.delete(id);
    await delivery.stop();
    this.deps.logger.info({ integrationId: id }, 'stopped delivering webhooks');
  }

  /** The endpoint's delivery and replay consumers, deleted (the integration is gone or inbound-only). */
  private async deleteConsumers(id: string): Promise<void> {
    for await (const info of this.deps.jsm.consumers.list(STREAMS.events.name)) {
      if (parseConsumerName(info.name)?.integrationId !== id) continue;
      await this.deps.jsm.consumers.delete(STREAMS.events.name, info.name).catch(() => undefined);
      this.deps.logger.info({ integrationId: id, consumer: info.name }, 'webhook consumer deleted');
    }
  }

  private async resumeReplays(id: string): Promise<void> {
    for await (const info of this.deps.jsm.consumers.list(STREAMS.events.name)) {
      const parsed = parseConsumerName(info.name);
      if (parsed?.kind === 'replay' && parsed.integrationId === id) this.deps.replays.resume(id, info.name, info.config.description);
    }
  }

  /** At start: consumers of integrations deleted while no gateway ran are deleted now; the others are noted. */
  private async sweep(): Promise<void> {
    for await (const info of this.deps.jsm.consumers.list(STREAMS.events.name)) {
      const parsed = parseConsumerName(info.name);
      if (!parsed) continue;
      if (this.deps.endpoints.get(parsed.integrationId)) {
        this.withConsumers.add(parsed.integrationId);
        continue;
      }
      await this.deps.jsm.consumers.delete(STREAMS.events.name, info.name).catch(() => undefined);
      this.deps.logger.info({ integrationId: parsed.integrationId, consumer: info.name }, 'deleted the webhook consumer of a deleted integration');
    }
  }

  /**
   * 410 Gone: this replica stops delivering to the endpoint at once and asks
   * the hub to disable the integration (every replica then stops on the
   * registry change). It stays stopped here until the configuration changes,
   * even if the hub cannot be reached.
   */
  private onGone(endpoint: WebhookEndpoint): void {
    if (this.gone.get(endpoint.id) === endpoint.revision) return;
    this.gone.set(endpoint.id, endpoint.revision);
    this.deps.logger.warn({ integrationId: endpoint.id }, 'receiver answered 410 Gone: disabling the webhook integration');
    this.schedule(endpoint.id);
    void this.deps.bus.request(INTEGRATION_ADMIN.disable, { id: endpoint.id }, { timeout: this.deps.requestTimeoutMs }).then((reply) => {
      if (!reply.ok) this.deps.logger.error({ integrationId: endpoint.id, error: reply.error }, 'could not disable the integration after 410 Gone');
    });
  }
}
