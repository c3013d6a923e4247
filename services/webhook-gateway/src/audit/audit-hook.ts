import type { FastifyInstance, FastifyRequest } from 'fastify';
import { routeLabel } from '../http/telemetry.hook.js';
import type { AuditEntry, AuditLog } from './audit-log.js';

const MUTATING = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);
const MAX_ID_LENGTH = 200;

/**
 * Records every mutating `/api/*` request of an authenticated key (key
 * management included) once its answer is sent, so auditing adds nothing to
 * the request's latency. Not recorded: anonymous requests (no key to name),
 * 429s (a client looping past its limit would flood the log) and anything
 * outside `/api/` (inbound webhooks are not keyed).
 */
export function installAuditHook(fastify: FastifyInstance, log: AuditLog): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const principal = request.principal;
    if (principal && MUTATING.has(request.method) && request.url.startsWith('/api/') && reply.statusCode !== 429) {
      log.record(auditEntryOf(request, reply.statusCode));
    }
    done();
  });
}

export function auditEntryOf(request: FastifyRequest, status: number): AuditEntry {
  const principal = request.principal!;
  const route = routeLabel(request);
  const entry: AuditEntry = {
    ts: new Date().toISOString(),
    keyId: principal.id,
    keyName: principal.name,
    method: request.method,
    route,
    status,
    correlationId: request.correlationId,
  };
  const id = (request.params as Record<string, unknown> | undefined)?.id;
  if (typeof id === 'string' && id.length <= MAX_ID_LENGTH) {
    if (route.startsWith('/api/integration/:id')) entry.integrationId = id;
    else if (route.startsWith('/api/pipeline/:id')) entry.pipelineId = id;
  }
  return entry;
}
