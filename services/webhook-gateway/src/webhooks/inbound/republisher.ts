import { HEADERS, STREAMS, subjectFilter, subjectFor } from '@autoweave/contracts';
import { outgoingHeaders } from '@autoweave/messaging';
import type { DeliveryInfo, Logger } from '@autoweave/observability';
import { AckPolicy, DeliverPolicy, PubHeaders, type ConsumerConfig, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { dedupeKey, STORED_HEADERS } from './inbound-store.js';
import type { JetStreamPublisher } from './jetstream-publisher.js';

/** The durable consumer on WEBHOOKS_IN that every gateway replica pulls from (each message goes to one replica). */
export const REPUBLISHER_DURABLE = 'webhook-republisher';

const NANOS_PER_MS = 1_000_000;

/** Headers of the stored webhook that its republished event keeps. */
const PASSED_ON_HEADERS = [...Object.values(STORED_HEADERS), HEADERS.correlationId];

export interface RepublisherOptions {
  /** Messages handled at once per replica (publishes in flight). */
  maxInFlight?: number;
  /** Wait before a message whose publish failed is offered again. */
  retryDelayMs?: number;
  /** Told of every message pulled (redelivery counting: observability's redeliveryMetrics). */
  redeliveries?: { seen(info: DeliveryInfo): void };
}

/** Where `webhook.in.<id>.<type>` keeps the integration id: found from the catalogue, not written here. */
const ID_TOKEN = subjectFor.webhookIn('id', 'type').split('.').indexOf('id');

/** The integration id and event type of a WEBHOOKS_IN subject; undefined when it is not one. */
export function parseWebhookInSubject(subject: string): { integrationId: string; type: string } | undefined {
  const tokens = subject.split('.');
  if (tokens.length <= ID_TOKEN + 1) return undefined;
  const integrationId = tokens[ID_TOKEN]!;
  const type = tokens.slice(ID_TOKEN + 1).join('.');
  try {
    return subjectFor.webhookIn(integrationId, type) === subject ? { integrationId, type } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Republishes every stored inbound webhook to EVENTS on
 * `events.webhook.<id>.<type>` (the raw body, its Standard Webhooks headers),
 * then acknowledges it. The publish carries the same dedupe key as the
 * stored message, so a redelivery (a replica dying between publish and ack)
 * is not published twice. Publishes are pipelined up to `maxInFlight`; on the
 * one connection they reach the server in order, except a message whose
 * publish failed: it is offered again after `retryDelayMs`, after later ones.
 */
export class WebhookRepublisher {
  private messages: ConsumerMessages | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly js: JetStreamClient,
    private readonly publisher: JetStreamPublisher,
    private readonly logger: Logger,
    private readonly options: RepublisherOptions = {},
  ) {}

  async start(jsm: JetStreamManager): Promise<void> {
    const maxInFlight = this.options.maxInFlight ?? 256;
    await ensureConsumer(jsm, maxInFlight);
    const consumer = await this.js.consumers.get(STREAMS.webhooksIn.name, REPUBLISHER_DURABLE);
    this.messages = await consumer.consume({
      max_messages: maxInFlight,
      callback: (msg) => {
        const done = this.republish(msg).finally(() => this.inFlight.delete(done));
        this.inFlight.add(done);
      },
    });
  }

  /** Stops pulling and waits for the messages being republished. */
  async stop(): Promise<void> {
    const messages = this.messages;
    this.messages = undefined;
    await messages?.close().catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
  }

  private async republish(msg: JsMsg): Promise<void> {
    this.options.redeliveries?.seen(msg.info);
    const parsed = parseWebhookInSubject(msg.subject);
    const webhookId = msg.headers?.get(STORED_HEADERS.webhookId);
    if (!parsed || !webhookId) {
      this.logger.error({ subject: msg.subject, seq: msg.seq }, 'not an inbound webhook; dropped from WEBHOOKS_IN processing');
      msg.term();
      return;
    }
    const subject = subjectFor.event(subjectFor.webhookEventTopic(parsed.integrationId, parsed.type));
    const headers = outgoingHeaders();
    headers.set(PubHeaders.MsgIdHdr, dedupeKey(parsed.integrationId, webhookId));
    for (const name of PASSED_ON_HEADERS) {
      const value = msg.headers!.get(name);
      if (value) headers.set(name, value);
    }
    try {
      await this.publisher.publish(subject, msg.data, headers);
      msg.ack();
    } catch (err) {
      this.logger.warn({ subject, err: (err as Error).message }, 'could not republish an inbound webhook; it will be retried');
      msg.nak(this.options.retryDelayMs ?? 1000);
    }
  }
}

/** Creates the durable consumer, or updates one an earlier version made with other settings. */
async function ensureConsumer(jsm: JetStreamManager, maxInFlight: number): Promise<void> {
  const config: Partial<ConsumerConfig> = {
    durable_name: REPUBLISHER_DURABLE,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: subjectFilter.webhookIn(),
    ack_wait: 30_000 * NANOS_PER_MS,
    max_ack_pending: maxInFlight * 4,
  };
  try {
    await jsm.consumers.add(STREAMS.webhooksIn.name, config);
  } catch (err) {
    // It exists with other settings (an earlier version): bring it up to date.
    if (!(await jsm.consumers.info(STREAMS.webhooksIn.name, REPUBLISHER_DURABLE).catch(() => undefined))) throw err;
    await jsm.consumers.update(STREAMS.webhooksIn.name, REPUBLISHER_DURABLE, { ack_wait: config.ack_wait, max_ack_pending: config.max_ack_pending });
  }
}
