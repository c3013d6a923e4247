import {
  INTEGRATION_ADMIN,
  IntegrationIdDto,
  ListIntegrationsDto,
  RegisterIntegrationDto,
  RotateSecretDto,
  UpdateIntegrationDto,
  type IntegrationList,
  type IntegrationView,
  type RegisteredIntegration,
  type RotateSecretResult,
} from '@autoweave/contracts';
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { RegistryService } from '../registry/registry.service.js';

/** `integration.admin.*`: validated by the DTO pipe, answered by the registry. */
@Controller()
export class RegistryHandlers {
  constructor(private readonly registry: RegistryService) {}

  @MessagePattern(INTEGRATION_ADMIN.register)
  register(@Payload() dto: RegisterIntegrationDto): Promise<RegisteredIntegration> {
    return this.registry.register(dto);
  }

  @MessagePattern(INTEGRATION_ADMIN.rotateSecret)
  rotateSecret(@Payload() dto: RotateSecretDto): Promise<RotateSecretResult> {
    return this.registry.rotateSecret(dto);
  }

  @MessagePattern(INTEGRATION_ADMIN.list)
  list(@Payload() dto: ListIntegrationsDto): Promise<IntegrationList> {
    return this.registry.list(dto);
  }

  @MessagePattern(INTEGRATION_ADMIN.get)
  get(@Payload() dto: IntegrationIdDto): Promise<IntegrationView> {
    return this.registry.get(dto.id);
  }

  @MessagePattern(INTEGRATION_ADMIN.update)
  update(@Payload() dto: UpdateIntegrationDto): Promise<IntegrationView> {
    return this.registry.update(dto);
  }

  @MessagePattern(INTEGRATION_ADMIN.enable)
  enable(@Payload() dto: IntegrationIdDto): Promise<IntegrationView> {
    return this.registry.setEnabled(dto.id, true);
  }

  @MessagePattern(INTEGRATION_ADMIN.disable)
  disable(@Payload() dto: IntegrationIdDto): Promise<IntegrationView> {
    return this.registry.setEnabled(dto.id, false);
  }

  @MessagePattern(INTEGRATION_ADMIN.delete)
  delete(@Payload() dto: IntegrationIdDto): Promise<{ id: string; deleted: true }> {
    return this.registry.delete(dto.id);
  }
}
