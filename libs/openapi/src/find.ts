import type { Operation, ParsedApi } from './types.js';

export function findOperation(api: ParsedApi, operationId: string): Operation | undefined {
  return api.operations.find((op) => op.operationId === operationId);
}

const PRIMARY = new Set(['health', 'healthz', 'healthcheck', 'health-check', 'health_check']);
const SECONDARY = new Set(['live', 'livez', 'liveness', 'ready', 'readyz', 'readiness', 'ping', 'status', 'alive']);
const ID_PATTERN = /health|ping|status|ready|readiness|live(ness)?\b|alive/i;

/** Lower is better; undefined when the operation does not look like a health check. */
function rank(op: Operation): number | undefined {
  if (op.method !== 'get') return undefined;
  if (op.parameters.some((p) => p.required)) return undefined;
  if (op.path === '/health') return 0;
  const segments = op.path.toLowerCase().split('/').filter(Boolean);
  const last = segments[segments.length - 1];
  if (last !== undefined && PRIMARY.has(last)) return 1;
  if (segments.some((s) => PRIMARY.has(s))) return 2;
  if (last !== undefined && SECONDARY.has(last)) return 3;
  if (segments.some((s) => SECONDARY.has(s))) return 4;
  if (ID_PATTERN.test(op.operationId)) return 5;
  return undefined;
}

/**
 * The operation to probe an API's health with: a GET without required parameters whose path or
 * operationId looks like a health check. Exactly "/health" wins; then a path ending in health or
 * healthz, then one containing it, then one ending in live/ready/ping/status (or containing it),
 * then an operationId mentioning one of those words; ties go to the shorter path, then document order.
 */
export function findHealthOperation(api: ParsedApi): Operation | undefined {
  let best: { op: Operation; rank: number } | undefined;
  for (const op of api.operations) {
    const r = rank(op);
    if (r === undefined) continue;
    if (!best || r < best.rank || (r === best.rank && op.path.length < best.op.path.length)) best = { op, rank: r };
  }
  return best?.op;
}
