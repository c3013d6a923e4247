import {
  PIPELINE_ADMIN,
  PipelineIdDto,
  PipelineMetricsDto,
  type PipelineMetricsView,
  type PipelineRunStarted,
  type PipelineStatusView,
} from '@autoweave/contracts';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { PipelineInsight } from '../runs/pipeline-insight.js';
import { RunCoordinator } from '../runs/run-coordinator.js';

/** `pipeline.admin.execute|status|metrics`: runs and how they go. */
@Controller()
export class RunHandlers {
  constructor(
    @Inject(RunCoordinator) private readonly coordinator: RunCoordinator,
    @Inject(PipelineInsight) private readonly insight: PipelineInsight,
  ) {}

  /** Starts a run now (on the replica that got the request) and answers with its id. */
  @MessagePattern(PIPELINE_ADMIN.execute)
  execute(@Payload() dto: PipelineIdDto): Promise<PipelineRunStarted> {
    return this.coordinator.execute(dto.id);
  }

  @MessagePattern(PIPELINE_ADMIN.status)
  status(@Payload() dto: PipelineIdDto): Promise<PipelineStatusView> {
    return this.insight.status(dto.id);
  }

  @MessagePattern(PIPELINE_ADMIN.metrics)
  metrics(@Payload() dto: PipelineMetricsDto): Promise<PipelineMetricsView> {
    return this.insight.metrics(dto.id);
  }
}
