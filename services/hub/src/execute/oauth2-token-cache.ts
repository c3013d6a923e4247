import { createHmac, randomBytes } from 'node:crypto';
import { AppError } from '@autoweave/contracts';
import { systemClock, type Clock } from '@autoweave/resilience';
import type { UpstreamClient } from './upstream-client.js';

/** What a client-credentials grant needs. */
export interface ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scopes?: readonly string[];
}

export interface OAuth2TokenCacheOptions {
  clock?: Clock;
  /** Tokens are dropped this long before they expire. Default 30 s. */
  skewMs?: number;
  /** Lifetime assumed when the answer has no expires_in. Default 1 h. */
  defaultTtlMs?: number;
  /** Timeout of one token request. Default 10 s. */
  timeoutMs?: number;
  /** How the client authenticates: HTTP Basic (default, RFC 6749 2.3.1) or client_id/client_secret in the form. */
  clientAuth?: 'basic' | 'body';
  /** Most tokens kept; the oldest go first. Default 1000. */
  maxEntries?: number;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

// Keys carry a keyed hash of the secret (so two configs that differ only in their secret
// never share a token) that is useless outside this process.
const KEY_SALT = randomBytes(16);

/**
 * The cache key of a credential set: token URL, client id, sorted scopes, and a per-process
 * keyed hash of the secret. Safe to log; pass it to invalidate().
 */
export function tokenCacheKey(credentials: ClientCredentials): string {
  const scopes = [...new Set(credentials.scopes ?? [])].sort();
  const secret = createHmac('sha256', KEY_SALT).update(credentials.clientSecret).digest('base64url').slice(0, 16);
  return JSON.stringify([credentials.tokenUrl, credentials.clientId, scopes, secret]);
}

/**
 * OAuth2 client-credentials tokens, fetched through the UpstreamClient, cached per
 * (tokenUrl, clientId, scopes) until `expires_in` minus a skew, with one in-flight fetch
 * per key however many callers wait. Failures are not cached.
 */
export class OAuth2TokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly clock: Clock;
  private readonly skewMs: number;
  private readonly defaultTtlMs: number;
  private readonly timeoutMs: number;
  private readonly clientAuth: 'basic' | 'body';
  private readonly maxEntries: number;

  constructor(
    private readonly client: UpstreamClient,
    options: OAuth2TokenCacheOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.skewMs = options.skewMs ?? 30_000;
    this.defaultTtlMs = options.defaultTtlMs ?? 3_600_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.clientAuth = options.clientAuth ?? 'basic';
    this.maxEntries = options.maxEntries ?? 1000;
  }

  /** An access token for these credentials: cached, or fetched (once for all concurrent callers). */
  async get(credentials: ClientCredentials): Promise<string> {
    const key = tokenCacheKey(credentials);
    const cached = this.tokens.get(key);
    if (cached && this.clock.now() < cached.expiresAt) return cached.token;
    let pending = this.inFlight.get(key);
    if (pending === undefined) {
      pending = this.fetchAndStore(key, credentials).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /**
   * Forgets the token of `key` (the upstream answered 401 with it). With `rejectedToken`,
   * only when that is still the cached one: many callers failing with the same old token
   * then cause a single refetch.
   */
  invalidate(key: string, rejectedToken?: string): void {
    const cached = this.tokens.get(key);
    if (cached && (rejectedToken === undefined || cached.token === rejectedToken)) this.tokens.delete(key);
  }

  private async fetchAndStore(key: string, credentials: ClientCredentials): Promise<string> {
    const { token, ttlMs } = await this.fetchToken(credentials);
    if (ttlMs > 0) this.store(key, { token, expiresAt: this.clock.now() + ttlMs });
    return token;
  }

  private store(key: string, entry: CachedToken): void {
    this.tokens.delete(key);
    this.tokens.set(key, entry);
    for (const oldest of this.tokens.keys()) {
      if (this.tokens.size <= this.maxEntries) break;
      this.tokens.delete(oldest);
    }
  }

  private async fetchToken(credentials: ClientCredentials): Promise<{ token: string; ttlMs: number }> {
    const response = await this.client
      .send(tokenRequest(credentials, this.clientAuth), { timeoutMs: this.timeoutMs })
      .catch((err: unknown) => {
        throw err instanceof AppError ? new AppError(err.code, `oauth2 token request failed: ${err.message}`, err.details) : err;
      });
    const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as Record<string, unknown>;
    if (response.status < 200 || response.status > 299) {
      const oauthError = typeof body.error === 'string' ? body.error.slice(0, 100) : undefined;
      throw new AppError('UPSTREAM', `token endpoint answered ${response.status}`, oauthError ? { status: response.status, error: oauthError } : { status: response.status });
    }
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new AppError('UPSTREAM', 'token endpoint answered without an access_token', { status: response.status });
    }
    return { token: body.access_token, ttlMs: this.ttlOf(body.expires_in) };
  }

  private ttlOf(expiresIn: unknown): number {
    const seconds = typeof expiresIn === 'string' && expiresIn.trim() !== '' ? Number(expiresIn) : expiresIn;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return this.defaultTtlMs;
    const lifetimeMs = seconds * 1000;
    // Short-lived tokens keep half their life rather than none.
    return lifetimeMs > 2 * this.skewMs ? lifetimeMs - this.skewMs : lifetimeMs / 2;
  }
}

/** application/x-www-form-urlencoded, as RFC 6749 wants it (spaces as +). */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

function tokenRequest(credentials: ClientCredentials, clientAuth: 'basic' | 'body') {
  const form = [['grant_type', 'client_credentials']];
  const scopes = credentials.scopes ?? [];
  if (scopes.length > 0) form.push(['scope', scopes.join(' ')]);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (clientAuth === 'basic') {
    const pair = `${formEncode(credentials.clientId)}:${formEncode(credentials.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else {
    form.push(['client_id', credentials.clientId], ['client_secret', credentials.clientSecret]);
  }
  const body = form.map(([k, v]) => `${formEncode(k!)}=${formEncode(v!)}`).join('&');
  return { method: 'POST', url: credentials.tokenUrl, headers, body };
}
