import {
  AGENT,
  GenerateManifestsDto,
  GetManifestsDto,
  INTEGRATION_EVENTS,
  type IntegrationChangedEvent,
  type ManifestsGeneratedEvent,
  type ManifestsResult,
} from '@autoweave/contracts';
import { RUNTIME, type ServiceRuntime } from '@autoweave/service-kit';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { ManifestService } from '../manifests/manifest-service.js';

/** `agent.manifests.generate|get`, and regeneration when an OpenAPI integration appears or changes. */
@Controller()
export class ManifestsHandlers {
  constructor(
    @Inject(ManifestService) private readonly manifests: ManifestService,
    @Inject(RUNTIME) private readonly runtime: ServiceRuntime,
  ) {}

  @MessagePattern(AGENT.generateManifests)
  async generate(@Payload() dto: GenerateManifestsDto): Promise<ManifestsResult> {
    const result = await this.manifests.generate(dto);
    if (result.integrationId) this.announce(result);
    return result;
  }

  @MessagePattern(AGENT.getManifests)
  async get(@Payload() dto: GetManifestsDto): Promise<ManifestsResult | { yaml: string }> {
    const stored = await this.manifests.stored(dto.integrationId);
    return dto.format === 'yaml' ? { yaml: stored.yaml } : stored;
  }

  @EventPattern(INTEGRATION_EVENTS.created)
  onCreated(@Payload() event: IntegrationChangedEvent): Promise<void> {
    return this.regenerate(event);
  }

  @EventPattern(INTEGRATION_EVENTS.openapiUpdated)
  onSpecUpdated(@Payload() event: IntegrationChangedEvent): Promise<void> {
    return this.regenerate(event);
  }

  private async regenerate(event: IntegrationChangedEvent): Promise<void> {
    if (event.type !== 'openapi') return;
    try {
      this.announce(await this.manifests.generate({ integrationId: event.id }));
    } catch (err) {
      this.runtime.logger.warn({ integration: event.id, err: (err as Error).message }, 'could not generate manifests');
    }
  }

  private announce(result: ManifestsResult): void {
    const event: ManifestsGeneratedEvent = {
      integrationId: result.integrationId!,
      name: result.name,
      valid: result.validation.valid,
      objects: result.objects.length,
      at: result.generatedAt,
    };
    this.runtime.bus.publish(AGENT.manifestsGenerated, event);
  }
}
