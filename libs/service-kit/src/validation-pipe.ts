import { validateDto } from '@autoweave/contracts';
import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';

const PLAIN_TYPES = new Set<unknown>([String, Boolean, Number, Array, Object]);
/** Nest's RpcParamtype.PAYLOAD; the enum is not part of the package's public exports. */
const RPC_PAYLOAD = 3;

/**
 * Validates every `@Payload() dto: SomeDto` against its class-validator DTO and
 * rejects bad input with a VALIDATION error naming each field.
 */
@Injectable()
export class DtoValidationPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const type = metadata.metatype;
    const isPayload = metadata.type === 'body' || (metadata.type as unknown) === RPC_PAYLOAD;
    if (!isPayload || !type || PLAIN_TYPES.has(type)) return value;
    return validateDto(type as new () => object, value);
  }
}
