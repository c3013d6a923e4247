import { AppError, INTEGRATION_ADMIN, InstallPluginDto, type RegisteredIntegration } from '@autoweave/contracts';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { RegistryService } from '../registry/registry.service.js';
import { PluginInstaller } from './install/plugin-installer.js';

/** `integration.admin.install`: install a plugin package and register it as a plugin integration. */
@Controller()
export class PluginHandlers {
  constructor(
    @Inject(RegistryService) private readonly registry: RegistryService,
    @Inject(PluginInstaller) private readonly installer: PluginInstaller,
  ) {}

  @MessagePattern(INTEGRATION_ADMIN.install)
  install(@Payload() dto: InstallPluginDto): Promise<RegisteredIntegration> {
    // Registering is enough where the host is on (it installs before writing); here it must be, or nothing would be installed now.
    if (!this.installer.enabled) {
      throw new AppError('UNAVAILABLE', 'this hub replica does not install plugins: AUTOWEAVE_PLUGINS_DIR is not set');
    }
    const packageName = typeof dto.config.name === 'string' ? dto.config.name : undefined;
    const name = dto.name ?? packageName;
    if (!name) throw new AppError('VALIDATION', 'config.name (the package name) is required', { field: 'config.name' });
    return this.registry.register({
      name,
      type: 'plugin',
      config: dto.config,
      ...(dto.description === undefined ? {} : { description: dto.description }),
      tags: dto.tags ?? [],
      ...(dto.metadata === undefined ? {} : { metadata: dto.metadata }),
    });
  }
}
