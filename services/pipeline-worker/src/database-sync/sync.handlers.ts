import { INTEGRATION_ADMIN, IntegrationIdDto, type IntegrationSyncResult } from '@autoweave/contracts';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DatabaseSync } from './database-sync.js';

/**
 * `integration.admin.sync`: the hub has the verb in its catalogue but no
 * handler; the worker, which owns the sync pipelines, answers it.
 */
@Controller()
export class SyncHandlers {
  constructor(@Inject(DatabaseSync) private readonly sync: DatabaseSync) {}

  @MessagePattern(INTEGRATION_ADMIN.sync)
  syncNow(@Payload() dto: IntegrationIdDto): Promise<IntegrationSyncResult> {
    return this.sync.syncNow(dto.id);
  }
}
