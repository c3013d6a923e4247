import { toAppError } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest turns anything but an RpcException into "Internal server error" and
 * loses the code. This filter keeps AppErrors as they are and turns anything
 * else into INTERNAL (logged with its stack, never sent: it may hold secrets).
 */
@Catch()
export class EnvelopeExceptionFilter implements RpcExceptionFilter<unknown> {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const error = toAppError(exception);
    if (error.code === 'INTERNAL') {
      const cause = error.cause instanceof Error ? error.cause.stack : String(error.cause ?? error.message);
      this.logger.error({ err: cause }, 'unhandled error in handler');
    }
    return throwError(() => error.toBody());
  }
}
