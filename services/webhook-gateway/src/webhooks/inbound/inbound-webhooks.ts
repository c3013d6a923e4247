import type { HealthState, StoredIntegration } from '@autoweave/contracts';
import type { KvSnapshot } from '@autoweave/messaging';
import { redeliveryMetrics } from '@autoweave/observability';
import type { ServiceRuntime } from '@autoweave/service-kit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { GatewayConfig } from '../../config.js';
import type { WebhookEndpoints } from '../endpoints.js';
import { InboundMetrics } from './inbound-metrics.js';
import { InboundStore } from './inbound-store.js';
import { JetStreamPublisher } from './jetstream-publisher.js';
import { ensureReplayWindow } from './replay-window.js';
import { WebhookRepublisher } from './republisher.js';
import { VerificationHealth } from './verification-health.js';
import { WebhookIngest } from './webhook-ingest.js';

/**
 * Inbound webhooks as one provider: `ingest` answers `POST /webhooks/:id`
 * (installed on Fastify by the HTTP app), the republisher runs from module
 * init to shutdown (after the HTTP server has closed, so what was accepted is
 * still republished by this replica or, after a crash, by another).
 */
export class InboundWebhooks implements OnModuleInit, OnApplicationShutdown {
  readonly ingest: WebhookIngest;
  private readonly health: VerificationHealth;
  private readonly republisher: WebhookRepublisher;
  private readonly publisher: JetStreamPublisher;
  private readonly unwatch: () => void;

  constructor(
    private readonly runtime: ServiceRuntime<GatewayConfig>,
    endpoints: WebhookEndpoints,
    snapshot: KvSnapshot<StoredIntegration>,
  ) {
    const { config, logger, bus } = runtime;
    const js = jetstream(bus.nc);
    this.publisher = new JetStreamPublisher(bus.nc, config.requestTimeoutMs);
    const metrics = new InboundMetrics(runtime.registry);
    this.health = new VerificationHealth({
      threshold: config.webhookFailureThreshold,
      recordedHealth: (id): HealthState | undefined => snapshot.get(id)?.record.health,
      publish: (subject, data) => bus.publish(subject, data),
      logger,
    });
    this.ingest = new WebhookIngest({
      endpoints,
      store: new InboundStore(this.publisher),
      health: this.health,
      metrics,
      toleranceSeconds: config.webhookToleranceSeconds,
      logger,
    });
    this.republisher = new WebhookRepublisher(js, this.publisher, logger, { redeliveries: redeliveryMetrics(runtime.registry) });
    this.unwatch = endpoints.onChange((id, endpoint) => {
      if (endpoint) return;
      this.health.forget(id);
      metrics.forget(id);
    });
  }

  async onModuleInit(): Promise<void> {
    const jsm = await jetstreamManager(this.runtime.bus.nc);
    await ensureReplayWindow(jsm, this.runtime.logger);
    await this.republisher.start(jsm);
  }

  async onApplicationShutdown(): Promise<void> {
    this.unwatch();
    await this.republisher.stop();
    this.publisher.close();
  }
}
