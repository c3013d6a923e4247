import { Controller, Global, Module, type DynamicModule, type Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import type { PingReply } from '@autoweave/contracts';
import { RUNTIME, type ServiceRuntime } from './runtime.js';

/** Answers `<service>.ping` with who answered; proves the service is on the bus. */
function pingController(subject: string, runtime: ServiceRuntime): Type {
  @Controller()
  class PingController {
    @MessagePattern(subject)
    ping(): PingReply {
      return {
        service: runtime.name,
        instance: runtime.instanceId,
        version: runtime.version,
        uptimeSeconds: Math.round((Date.now() - runtime.startedAt) / 1000),
      };
    }
  }
  return PingController;
}

@Global()
@Module({})
export class RuntimeModule {
  static forRoot(runtime: ServiceRuntime, pingSubject: string): DynamicModule {
    return {
      module: RuntimeModule,
      controllers: [pingController(pingSubject, runtime)],
      providers: [{ provide: RUNTIME, useValue: runtime }],
      exports: [RUNTIME],
    };
  }
}
