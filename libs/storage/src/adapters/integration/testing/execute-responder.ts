import { INTEGRATION_ADMIN, INTEGRATION_REQUEST, type Envelope, type ExecuteRequestDto, type ExecuteResult } from '@autoweave/contracts';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';

/**
 * A stand-in for the hub on a real NATS server: answers
 * `integration.request.execute` by calling a real HTTP API (the action names
 * the path, params become the query) and replies with the hub's shapes. Like
 * the hub it does not coerce: a paging parameter must be a number, not "2".
 * (The full hub is exercised by the pipeline worker's end-to-end tests.)
 */
export function startExecuteResponder(nc: NatsConnection, integrationId: string, baseUrl: string): { calls: ExecuteRequestDto[]; stop(): void } {
  const calls: ExecuteRequestDto[] = [];
  const NUMERIC = ['page', 'per_page', 'offset', 'limit'];
  const execute: Subscription = nc.subscribe(INTEGRATION_REQUEST.execute, {
    callback: (_err, msg) => {
      void (async () => {
        const dto = msg.json<ExecuteRequestDto>();
        calls.push(dto);
        const reply = (envelope: Envelope<ExecuteResult>): void => void msg.respond(JSON.stringify(envelope));
        if (dto.integrationId !== integrationId) return reply({ ok: false, error: { code: 'NOT_FOUND', message: `integration ${dto.integrationId} not found` } });
        const query = new URLSearchParams();
        for (const [name, value] of Object.entries(dto.params ?? {})) {
          if (NUMERIC.includes(name) && typeof value !== 'number') {
            return reply({ ok: false, error: { code: 'VALIDATION', message: `invalid parameters: ${name} must be integer` } });
          }
          for (const v of Array.isArray(value) ? value : [value]) query.append(name, String(v));
        }
        const started = performance.now();
        const response = await fetch(`${baseUrl}/${dto.action}?${query}`);
        const body = (await response.json()) as unknown;
        const durationMs = performance.now() - started;
        const headers: Record<string, string> = {};
        for (const name of ['link', 'x-next-cursor']) if (response.headers.get(name)) headers[name] = response.headers.get(name)!;
        if (response.status >= 400) return reply({ ok: false, error: { code: 'UPSTREAM', message: `upstream answered ${response.status}`, details: { status: response.status, body, durationMs } } });
        reply({ ok: true, data: { status: response.status, headers, body, durationMs } });
      })();
    },
  });
  const admin = nc.subscribe(INTEGRATION_ADMIN.get, {
    callback: (_err, msg) => {
      const { id } = msg.json<{ id: string }>();
      msg.respond(JSON.stringify(id === integrationId ? { ok: true, data: { id, status: 'active' } } : { ok: false, error: { code: 'NOT_FOUND', message: 'not found' } }));
    },
  });
  return {
    calls,
    stop() {
      execute.unsubscribe();
      admin.unsubscribe();
    },
  };
}
