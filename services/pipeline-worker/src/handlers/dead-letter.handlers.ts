import { ListDeadLettersDto, PIPELINE_ADMIN, RetryDeadLettersDto, type DeadLetterList, type RetryDeadLettersResult } from '@autoweave/contracts';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { PipelineRepository } from '../pipelines/pipeline.repository.js';
import { DeadLetterRetry } from '../runs/dead-letter-retry.js';
import { DeadLetterQueue } from '../runs/dead-letters.js';

const DEFAULT_LIMIT = 100;

/** `pipeline.admin.dead-letters|retry-dead-letters`: items that failed processing. */
@Controller()
export class DeadLetterHandlers {
  constructor(
    @Inject(PipelineRepository) private readonly repository: PipelineRepository,
    @Inject(DeadLetterQueue) private readonly deadLetters: DeadLetterQueue,
    @Inject(DeadLetterRetry) private readonly retrier: DeadLetterRetry,
  ) {}

  @MessagePattern(PIPELINE_ADMIN.deadLetters)
  async list(@Payload() dto: ListDeadLettersDto): Promise<DeadLetterList> {
    await this.repository.require(dto.id);
    const [items, total] = await Promise.all([this.deadLetters.list(dto.id, dto.limit ?? DEFAULT_LIMIT), this.deadLetters.count(dto.id)]);
    return { pipelineId: dto.id, items, total };
  }

  @MessagePattern(PIPELINE_ADMIN.retryDeadLetters)
  retry(@Payload() dto: RetryDeadLettersDto): Promise<RetryDeadLettersResult> {
    return this.retrier.retry(dto.id, { limit: dto.limit, seqs: dto.seqs });
  }
}
