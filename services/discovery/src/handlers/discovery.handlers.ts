import {
  DISCOVERY,
  DiscoveryScanDto,
  SERVICE_EVENTS,
  ServiceDeregisteredDto,
  ServiceRegisteredDto,
  type DiscoveryScanResult,
} from '@autoweave/contracts';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { ServiceRegistrationChannel } from '../channels/services/service-registration.channel.js';
import { Scanner } from '../scanner.js';

/** The bus entry points of discovery: `discovery.scan`, `service.registered`, `service.deregistered`. */
@Controller()
export class DiscoveryHandlers {
  constructor(
    @Inject(Scanner) private readonly scanner: Scanner,
    @Inject(ServiceRegistrationChannel) private readonly services: ServiceRegistrationChannel,
  ) {}

  @MessagePattern(DISCOVERY.scan)
  scan(@Payload() dto: DiscoveryScanDto): Promise<DiscoveryScanResult> {
    return this.scanner.scan(dto.channels);
  }

  /** Queue group: one replica handles each registration. */
  @EventPattern(SERVICE_EVENTS.registered)
  async registered(@Payload() dto: ServiceRegisteredDto): Promise<void> {
    await this.services.register(dto);
  }

  @EventPattern(SERVICE_EVENTS.deregistered)
  async deregistered(@Payload() dto: ServiceDeregisteredDto): Promise<void> {
    await this.services.deregister(dto.name);
  }
}
