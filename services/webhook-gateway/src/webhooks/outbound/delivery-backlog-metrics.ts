import { STREAMS, subjectFilter } from '@autoweave/contracts';
import { singleMetric, type Logger, type Registry } from '@autoweave/observability';
import type { JetStreamManager } from '@nats-io/jetstream';
import { Gauge } from 'prom-client';
import { parseConsumerName } from './consumer-plan.js';

/** Every WEBHOOK_DLQ subject (`webhook.dlq.>`), asked for per subject counts. */
const DLQ_ALL = STREAMS.webhookDlq.subjects[0];
/** `webhook.dlq.`: a dead letter's subject is this followed by the integration id. */
const DLQ_PREFIX = subjectFilter.webhookDeadLetters('id').slice(0, -'id'.length);

/**
 * Sampled from JetStream when /metrics is scraped (the consumers and WEBHOOK_DLQ
 * are shared by every gateway replica, so each replica reports the same values;
 * aggregate with max, not sum):
 *   autoweave_webhook_delivery_backlog{endpoint}       num_pending + num_ack_pending of the endpoint's delivery consumer:
 *                                                      events matched but not yet delivered (waiting, in flight or awaiting a retry)
 *   autoweave_webhook_dead_letters_stored{endpoint}    messages in WEBHOOK_DLQ per endpoint (replay or purge them to clear it)
 * `endpoint` is the integration id. One consumer list and one stream info per
 * scrape; a failure (NATS away) leaves the series out of that scrape rather
 * than reporting stale numbers.
 */
export function deliveryBacklogMetrics(registry: Registry, jsm: JetStreamManager, logger: Logger): void {
  singleMetric(registry, 'autoweave_webhook_delivery_backlog', () =>
    new Gauge({
      name: 'autoweave_webhook_delivery_backlog',
      help: 'Outbound webhook deliveries waiting per endpoint: pending plus unacknowledged messages of its delivery consumer',
      labelNames: ['endpoint'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        try {
          for await (const info of jsm.consumers.list(STREAMS.events.name)) {
            const parsed = parseConsumerName(info.name);
            if (parsed?.kind === 'delivery') this.set({ endpoint: parsed.integrationId }, info.num_pending + info.num_ack_pending);
          }
        } catch (err) {
          logger.warn({ err: (err as Error).message }, 'could not read the webhook delivery consumers for /metrics');
        }
      },
    }),
  );
  singleMetric(registry, 'autoweave_webhook_dead_letters_stored', () =>
    new Gauge({
      name: 'autoweave_webhook_dead_letters_stored',
      help: 'Outbound webhooks in WEBHOOK_DLQ per endpoint (dead-lettered and not yet purged)',
      labelNames: ['endpoint'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        try {
          const { state } = await jsm.streams.info(STREAMS.webhookDlq.name, { subjects_filter: DLQ_ALL });
          for (const [subject, count] of Object.entries(state.subjects ?? {})) {
            if (subject.startsWith(DLQ_PREFIX)) this.set({ endpoint: subject.slice(DLQ_PREFIX.length) }, count);
          }
        } catch (err) {
          logger.warn({ err: (err as Error).message }, 'could not read WEBHOOK_DLQ for /metrics');
        }
      },
    }),
  );
}
