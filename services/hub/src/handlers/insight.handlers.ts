import {
  AppError,
  INTEGRATION_ADMIN,
  IntegrationIdDto,
  IntegrationLogsDto,
  IntegrationMetricsDto,
  type HealthProbeResult,
  type IntegrationLogEntry,
  type IntegrationMetrics,
} from '@autoweave/contracts';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { HealthMonitor } from '../health/health-monitor.js';
import { IntegrationLog } from '../insight/integration-log.js';
import { windowStats } from '../insight/window-stats.js';
import { RegistryRepository } from '../registry/registry.repository.js';

const DEFAULT_WINDOW_SECONDS = 900;

/** `integration.admin.test|metrics|logs`: how an integration is doing. */
@Controller()
export class InsightHandlers {
  constructor(
    @Inject(RegistryRepository) private readonly repository: RegistryRepository,
    @Inject(HealthMonitor) private readonly health: HealthMonitor,
    @Inject(IntegrationLog) private readonly log: IntegrationLog,
  ) {}

  @MessagePattern(INTEGRATION_ADMIN.test)
  async test(@Payload() dto: IntegrationIdDto): Promise<HealthProbeResult> {
    return this.health.probeAndRecord(await this.repository.require(dto.id));
  }

  @MessagePattern(INTEGRATION_ADMIN.metrics)
  async metrics(@Payload() dto: IntegrationMetricsDto): Promise<IntegrationMetrics> {
    await this.repository.require(dto.id);
    const windowSeconds = dto.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
    const entries = await this.log.scan(dto.id, new Date(Date.now() - windowSeconds * 1000));
    return windowStats(dto.id, windowSeconds, entries);
  }

  @MessagePattern(INTEGRATION_ADMIN.logs)
  async logs(@Payload() dto: IntegrationLogsDto): Promise<{ items: IntegrationLogEntry[] }> {
    await this.repository.require(dto.id);
    const since = dto.since ? new Date(dto.since) : undefined;
    if (since && since.getTime() > Date.now()) throw new AppError('VALIDATION', 'since is in the future', { field: 'since' });
    return { items: await this.log.read(dto.id, { since, level: dto.level, limit: dto.limit }) };
  }
}
