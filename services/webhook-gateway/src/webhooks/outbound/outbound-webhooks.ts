import type { StoredIntegration } from '@autoweave/contracts';
import type { KvSnapshot } from '@autoweave/messaging';
import { createBreakerMetrics, guardedAgent } from '@autoweave/resilience';
import { RUNTIME, type ServiceRuntime } from '@autoweave/service-kit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { BeforeApplicationShutdown, OnApplicationBootstrap, Provider } from '@nestjs/common';
import type { Agent } from 'undici';
import type { GatewayConfig } from '../../config.js';
import { WebhookEndpoints } from '../endpoints.js';
import { AttemptRecorder } from './attempt-recorder.js';
import { AttemptRunner } from './attempt-runner.js';
import { DeadLetters } from './dead-letters.js';
import { DeliveryAdmin } from './delivery-admin.js';
import { DeliveryLog } from './delivery-log.js';
import { DeliveryManager } from './delivery-manager.js';
import { deliveryBacklogMetrics } from './delivery-backlog-metrics.js';
import { deliveryMetrics } from './delivery-metrics.js';
import { EndpointGuards } from './endpoint-guards.js';
import { Replays } from './replays.js';
import { WebhookSender } from './webhook-sender.js';

/** Idle keep-alive connections to receivers are closed after this. */
const KEEP_ALIVE_MS = 30_000;

/**
 * Outbound webhooks in one gateway replica: the delivery of every active
 * endpoint (started when the application is up, stopped before it closes,
 * attempt records flushed), and the admin verbs over DELIVERIES and replays.
 */
export class OutboundWebhooks implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private constructor(
    readonly manager: DeliveryManager,
    readonly admin: DeliveryAdmin,
    private readonly recorder: AttemptRecorder,
    private readonly guards: EndpointGuards,
    private readonly agent: Agent,
  ) {}

  static async create(
    runtime: ServiceRuntime<GatewayConfig>,
    endpoints: WebhookEndpoints,
    startTimeOf: (id: string) => string | undefined,
  ): Promise<OutboundWebhooks> {
    const { config, logger, bus } = runtime;
    const js = jetstream(bus.nc);
    const jsm = await jetstreamManager(bus.nc);
    const agent = guardedAgent(config.outboundPolicy, { keepAliveTimeout: KEEP_ALIVE_MS, keepAliveMaxTimeout: KEEP_ALIVE_MS });
    const guards = new EndpointGuards(new WebhookSender(agent), createBreakerMetrics(runtime.registry));
    const runner = new AttemptRunner(guards);
    const recorder = new AttemptRecorder(js, logger);
    const settings = {
      concurrency: config.webhookConcurrency,
      maxAckPending: config.webhookMaxAckPending,
      ackMarginMs: config.webhookAckMarginMs,
    };
    deliveryBacklogMetrics(runtime.registry, jsm, logger);
    const replays = new Replays({ js, jsm, runner, recorder, logger, settings, endpoint: (id) => endpoints.get(id) });
    const manager = new DeliveryManager({
      js,
      jsm,
      bus,
      endpoints,
      replays,
      guards,
      runner,
      recorder,
      deadLetters: new DeadLetters(js),
      metrics: deliveryMetrics(runtime.registry),
      logger,
      settings,
      startTimeOf,
      requestTimeoutMs: config.requestTimeoutMs,
    });
    return new OutboundWebhooks(manager, new DeliveryAdmin(endpoints, new DeliveryLog(js, jsm), replays), recorder, guards, agent);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.manager.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.manager.stop();
    await this.recorder.close();
    this.guards.close();
    await this.agent.close();
  }
}

/**
 * The gateway module's providers for outbound webhooks. `snapshotToken` is the
 * module's integrations snapshot: a new endpoint's consumer starts at its
 * record's `updatedAt`.
 */
export function outboundWebhookProviders(snapshotToken: symbol): Provider[] {
  return [
    {
      provide: OutboundWebhooks,
      inject: [RUNTIME, WebhookEndpoints, snapshotToken],
      useFactory: (runtime: ServiceRuntime<GatewayConfig>, endpoints: WebhookEndpoints, snapshot: KvSnapshot<StoredIntegration>) =>
        OutboundWebhooks.create(runtime, endpoints, (id) => snapshot.get(id)?.record.updatedAt),
    },
    { provide: DeliveryAdmin, inject: [OutboundWebhooks], useFactory: (outbound: OutboundWebhooks) => outbound.admin },
  ];
}
