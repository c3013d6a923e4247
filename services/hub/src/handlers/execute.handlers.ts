import { ExecuteRequestDto, INTEGRATION_REQUEST, type ExecuteResult } from '@autoweave/contracts';
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CallExecutor } from '../calls/call-executor.js';

/** `integration.request.execute`: any service calls an integrated API over NATS. */
@Controller()
export class ExecuteHandlers {
  constructor(private readonly executor: CallExecutor) {}

  @MessagePattern(INTEGRATION_REQUEST.execute)
  execute(@Payload() dto: ExecuteRequestDto): Promise<ExecuteResult> {
    return this.executor.execute(dto);
  }
}
