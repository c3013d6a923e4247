import { AppError, type DeliveryAttempt, type DeliveryList, type ListDeliveriesDto, type ReplayDeliveryDto, type ReplaySinceDto, type ReplaySinceResult } from '@autoweave/contracts';
import type { WebhookEndpoint, WebhookEndpoints } from '../endpoints.js';
import type { DeliveryLog } from './delivery-log.js';
import type { Replays } from './replays.js';

/** The `webhook.admin.*` verbs: the deliveries of an endpoint, and delivering again. */
export class DeliveryAdmin {
  constructor(
    private readonly endpoints: WebhookEndpoints,
    private readonly log: DeliveryLog,
    private readonly replays: Replays,
  ) {}

  async deliveries(dto: ListDeliveriesDto): Promise<DeliveryList> {
    this.webhook(dto.id);
    return { integrationId: dto.id, items: await this.log.latest(dto.id, { status: dto.status, msgId: dto.msgId, limit: dto.limit }) };
  }

  replay(dto: ReplayDeliveryDto): Promise<DeliveryAttempt> {
    return this.replays.replayOne(this.deliverable(dto.id), dto.msgId);
  }

  replaySince(dto: ReplaySinceDto): Promise<ReplaySinceResult> {
    return this.replays.replaySince(this.deliverable(dto.id), new Date(dto.since));
  }

  private webhook(id: string): WebhookEndpoint {
    const endpoint = this.endpoints.get(id);
    if (!endpoint) throw new AppError('NOT_FOUND', `no webhook integration ${id}`, { id });
    return endpoint;
  }

  /** An endpoint that can be delivered to now. */
  private deliverable(id: string): WebhookEndpoint {
    const endpoint = this.webhook(id);
    if (!endpoint.url) throw new AppError('VALIDATION', `integration ${id} receives webhooks only (it has no url to deliver to)`, { id });
    if (endpoint.status !== 'active') throw new AppError('CONFLICT', `integration ${id} is ${endpoint.status}; enable it to replay`, { id, status: endpoint.status });
    return endpoint;
  }
}
