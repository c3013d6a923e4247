import { INTEGRATION_EVENTS, type DiscoveredModule } from '@autoweave/contracts';
import { RUNTIME, type ServiceRuntime } from '@autoweave/service-kit';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ModuleIntake } from '../intake/module-intake.js';

/** `integration.module.discovered`: one hub replica (queue group) takes each announcement in. */
@Controller()
export class IntakeHandlers {
  constructor(
    @Inject(ModuleIntake) private readonly intake: ModuleIntake,
    @Inject(RUNTIME) private readonly runtime: ServiceRuntime,
  ) {}

  @EventPattern(INTEGRATION_EVENTS.moduleDiscovered)
  async discovered(@Payload() module: DiscoveredModule): Promise<void> {
    if (!isModule(module)) {
      this.runtime.logger.warn('ignored a malformed integration.module.discovered announcement');
      return;
    }
    try {
      const outcome = await this.intake.accept(module);
      this.runtime.logger.info({ module: module.name, source: module.source, outcome }, 'discovered module');
    } catch (err) {
      this.runtime.logger.error({ module: module.name, err: (err as Error).message }, 'could not take a discovered module in');
    }
  }
}

function isModule(value: unknown): value is DiscoveredModule {
  const m = value as Partial<DiscoveredModule>;
  return typeof m === 'object' && m !== null && typeof m.name === 'string' && typeof m.source === 'string' &&
    typeof m.type === 'string' && typeof m.config === 'object' && m.config !== null && typeof m.contentHash === 'string' && typeof m.present === 'boolean';
}
