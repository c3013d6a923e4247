import type { IncomingMessage } from 'node:http';
import { extractApiKey } from '../auth/api-key.js';
import type { ApiKeyRegistry, Principal } from '../auth/api-key-registry.js';

/**
 * Query parameters that look like a credential. Keys in URLs end up in access
 * logs, proxies and browser history, so an upgrade carrying one is refused
 * outright (400), even when the key is valid: the client learns to stop.
 */
const CREDENTIAL_PARAMS = new Set(['key', 'apikey', 'api_key', 'api-key', 'x-api-key', 'token', 'access_token', 'authorization', 'bearer']);

export function hasKeyInUrl(url: string | undefined): boolean {
  const query = url?.indexOf('?') ?? -1;
  if (query === -1) return false;
  for (const name of new URLSearchParams(url!.slice(query + 1)).keys()) {
    if (CREDENTIAL_PARAMS.has(name.toLowerCase())) return true;
  }
  return false;
}

/** The key an upgrade request presents in its headers (`Authorization: Bearer` or `x-api-key`), if any. */
export function keyFromHeaders(request: IncomingMessage): string | undefined {
  return extractApiKey(request.headers);
}

/**
 * Who a live connection is, checked the same way as a REST request (same
 * keys, same cache, same revocation). Every scope may open a connection; the
 * scopes decide which topic families it sees. The presented key is kept by
 * the connection (in memory only, never logged) so it can be checked again
 * while the connection lasts.
 */
export class ConnectionAuth {
  constructor(private readonly keys: ApiKeyRegistry) {}

  authenticate(key: string | undefined): Promise<Principal> {
    return this.keys.authenticate(key);
  }
}
