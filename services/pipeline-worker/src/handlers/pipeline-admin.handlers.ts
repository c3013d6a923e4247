import { PIPELINE_ADMIN, PipelineIdDto, RegisterPipelineDto, type PipelineList, type PipelineView } from '@autoweave/contracts';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { PipelineRegistry } from '../pipelines/pipeline-registry.js';
import { RunCoordinator } from '../runs/run-coordinator.js';

/** `pipeline.admin.register|list|get|pause|resume|delete`: definitions and the operator's switch. */
@Controller()
export class PipelineAdminHandlers {
  constructor(
    @Inject(PipelineRegistry) private readonly registry: PipelineRegistry,
    @Inject(RunCoordinator) private readonly coordinator: RunCoordinator,
  ) {}

  @MessagePattern(PIPELINE_ADMIN.register)
  register(@Payload() dto: RegisterPipelineDto): Promise<PipelineView> {
    return this.registry.register(dto);
  }

  @MessagePattern(PIPELINE_ADMIN.list)
  list(): Promise<PipelineList> {
    return this.registry.list();
  }

  @MessagePattern(PIPELINE_ADMIN.get)
  get(@Payload() dto: PipelineIdDto): Promise<PipelineView> {
    return this.registry.get(dto.id);
  }

  @MessagePattern(PIPELINE_ADMIN.pause)
  pause(@Payload() dto: PipelineIdDto): Promise<PipelineView> {
    return this.registry.setPaused(dto.id, true);
  }

  @MessagePattern(PIPELINE_ADMIN.resume)
  async resume(@Payload() dto: PipelineIdDto): Promise<PipelineView> {
    const view = await this.registry.setPaused(dto.id, false);
    await this.coordinator.resumed(dto.id);
    return view;
  }

  @MessagePattern(PIPELINE_ADMIN.delete)
  delete(@Payload() dto: PipelineIdDto): Promise<{ id: string; deleted: true }> {
    return this.registry.delete(dto.id);
  }
}
