import { PIPELINE_ADMIN, type PipelineComponents } from '@autoweave/contracts';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { ComponentCatalogue } from '../pipelines/component-catalogue.js';

/** `pipeline.admin.components`: the adapters and processors a pipeline can use, with their config schemas. */
@Controller()
export class ComponentHandlers {
  constructor(@Inject(ComponentCatalogue) private readonly catalogue: ComponentCatalogue) {}

  @MessagePattern(PIPELINE_ADMIN.components)
  components(): PipelineComponents {
    return this.catalogue.list();
  }
}
