import { INTEGRATION_REQUEST } from '@autoweave/contracts';
import type { ServiceRuntime } from '@autoweave/service-kit';
import type { CallExecutor } from '../calls/call-executor.js';
import { validateExecuteRequest } from './execute-request.js';

/**
 * `integration.request.execute`: any service calls an integrated API over NATS.
 * The hot path of the system, so it is answered directly by the transport,
 * outside Nest's handler pipeline (see docs/PERFORMANCE.md); it validates its
 * input against the same DTO as every other handler.
 */
export function registerExecuteHandler(runtime: ServiceRuntime, executor: CallExecutor): void {
  runtime.handleDirect(INTEGRATION_REQUEST.execute, async (payload) => executor.execute(await validateExecuteRequest(payload)));
}
