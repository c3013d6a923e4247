import {
  ListDeliveriesDto,
  ReplayDeliveryDto,
  ReplaySinceDto,
  WEBHOOK_ADMIN,
  type DeliveryAttempt,
  type DeliveryList,
  type ReplaySinceResult,
} from '@autoweave/contracts';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DeliveryAdmin } from './delivery-admin.js';

/** `webhook.admin.deliveries|replay|replay-since`, answered by any gateway replica (queue group). */
@Controller()
export class DeliveryHandlers {
  constructor(@Inject(DeliveryAdmin) private readonly admin: DeliveryAdmin) {}

  @MessagePattern(WEBHOOK_ADMIN.deliveries)
  deliveries(@Payload() dto: ListDeliveriesDto): Promise<DeliveryList> {
    return this.admin.deliveries(dto);
  }

  @MessagePattern(WEBHOOK_ADMIN.replay)
  replay(@Payload() dto: ReplayDeliveryDto): Promise<DeliveryAttempt> {
    return this.admin.replay(dto);
  }

  @MessagePattern(WEBHOOK_ADMIN.replaySince)
  replaySince(@Payload() dto: ReplaySinceDto): Promise<ReplaySinceResult> {
    return this.admin.replaySince(dto);
  }
}
