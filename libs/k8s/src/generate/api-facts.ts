import { findHealthOperation, resolveServerUrl, type Operation, type ParsedApi } from '@autoweave/openapi';
import { defaultDeployConfig } from './defaults.js';

/** What the manifests take from the OpenAPI description. */
export interface ApiFacts {
  /** Container port: deploy.port, else the first server URL's port (scheme default 80/443), else 8080. */
  port: number;
  portSource: 'deploy' | 'server' | 'default';
  /** HTTPS when the first server URL is https (probes then use scheme HTTPS). */
  scheme: 'HTTP' | 'HTTPS';
  /** The first server URL's path ("" for none or "/"), e.g. "/v1"; prefixed to probe and ingress paths. */
  basePath: string;
  /** Probe path (basePath + the health operation's path), when the spec has a health operation. */
  healthPath?: string;
  /** basePath + "/metrics" when the spec has GET /metrics. */
  metricsPath?: string;
  /** Ingress Prefix paths, sorted (see ingressPaths). */
  ingressPaths: string[];
}

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\//i;

function firstServer(api: ParsedApi): string | undefined {
  try {
    return resolveServerUrl(api, 0);
  } catch {
    return undefined; // a server variable without a value: treat as no server
  }
}

/** Operations in a fixed order (path, then method), so that document order never changes the result. */
export function sortedOperations(api: ParsedApi): Operation[] {
  return [...api.operations].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.method < b.method ? -1 : a.method > b.method ? 1 : 0));
}

function cleanBasePath(path: string): string {
  const p = path.replace(/\/+$/, '');
  if (p === '' || !p.startsWith('/') || /[{}\s?#]/.test(p)) return '';
  return p;
}

const CLEAN_SEGMENT = /^[A-Za-z0-9._~-]+$/;

/**
 * Ingress Prefix paths: the distinct first segments of the spec's paths, sorted, each as
 * `basePath/segment`. A path whose first segment is templated ("/{id}") or has characters an
 * ingress controller may refuse, or a spec without paths, gives the one path `basePath || "/"`
 * (which then covers everything, so it is the only one).
 */
export function ingressPaths(api: ParsedApi, basePath: string): string[] {
  const root = basePath === '' ? '/' : basePath;
  const segments = new Set<string>();
  for (const op of api.operations) {
    const first = op.path.split('/').filter(Boolean)[0];
    if (first === undefined || first.includes('{') || !CLEAN_SEGMENT.test(first)) return [root];
    segments.add(first);
  }
  if (segments.size === 0) return [root];
  return [...segments].sort().map((s) => `${basePath}/${s}`);
}

export function apiFacts(api: ParsedApi, deployPort: number | undefined): ApiFacts {
  const server = firstServer(api);
  let port: number = defaultDeployConfig.port;
  let portSource: ApiFacts['portSource'] = 'default';
  let scheme: ApiFacts['scheme'] = 'HTTP';
  let basePath = '';
  if (server !== undefined && ABSOLUTE.test(server)) {
    try {
      const url = new URL(server);
      if (url.protocol === 'https:') scheme = 'HTTPS';
      const p = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : url.protocol === 'http:' ? 80 : undefined;
      if (p !== undefined) {
        port = p;
        portSource = 'server';
      }
      basePath = cleanBasePath(decodeURIComponent(url.pathname));
    } catch {
      // not a parsable URL: defaults
    }
  } else if (server !== undefined) {
    basePath = cleanBasePath(server.startsWith('/') ? server : `/${server}`);
  }
  if (deployPort !== undefined) {
    port = deployPort;
    portSource = 'deploy';
  }
  const ops = sortedOperations(api);
  const health = findHealthOperation({ ...api, operations: ops });
  const facts: ApiFacts = { port, portSource, scheme, basePath, ingressPaths: ingressPaths(api, basePath) };
  if (health !== undefined && !health.path.includes('{')) facts.healthPath = `${basePath}${health.path}`;
  if (ops.some((op) => op.method === 'get' && op.path === '/metrics')) facts.metricsPath = `${basePath}/metrics`;
  return facts;
}
