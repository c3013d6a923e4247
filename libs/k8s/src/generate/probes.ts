import type { GenContext } from './context.js';

/**
 * Liveness and readiness probes: httpGet on the spec's health operation (basePath + path, on the
 * named port "http", scheme HTTPS when the spec's server is https), else tcpSocket on that port.
 */
export function probes(ctx: GenContext): { livenessProbe: Record<string, unknown>; readinessProbe: Record<string, unknown> } {
  const action: Record<string, unknown> =
    ctx.facts.healthPath !== undefined
      ? { httpGet: { path: ctx.facts.healthPath, port: 'http', scheme: ctx.facts.scheme } }
      : { tcpSocket: { port: 'http' } };
  return {
    livenessProbe: { ...action, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
    readinessProbe: { ...action, initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
  };
}
