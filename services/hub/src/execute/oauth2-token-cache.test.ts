import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import { OAuth2TokenCache, tokenCacheKey, type ClientCredentials } from './oauth2-token-cache.js';
import { closedPort, startServer, type TestServer } from './testing/http-fixtures.js';
import { UpstreamClient } from './upstream-client.js';

const SECRET = 'cs-SECRET-9f8e';

interface TokenCall {
  path: string;
  authorization?: string;
  form: Record<string, string>;
}

/** A token endpoint counting its calls. `?ttl=N` sets expires_in (absent: none), `?delay=ms` answers late. */
function startTokenServer(calls: TokenCall[]): Promise<TestServer> {
  let issued = 0;
  return startServer(async (req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    calls.push({ path: url.pathname, authorization: req.headers.authorization, form: Object.fromEntries(new URLSearchParams(body)) });
    const delay = Number(url.searchParams.get('delay') ?? 0);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay).unref());
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/token-401') {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: 'invalid_client', error_description: `client secret ${SECRET} is wrong` }));
      return;
    }
    if (url.pathname === '/token-empty') {
      res.end(JSON.stringify({ token_type: 'Bearer' }));
      return;
    }
    const ttl = url.searchParams.get('ttl');
    issued++;
    res.end(JSON.stringify({ access_token: `tok-${issued}`, token_type: 'Bearer', ...(ttl === null ? {} : { expires_in: Number(ttl) }) }));
  });
}

describe('OAuth2TokenCache against a real token endpoint', () => {
  let server: TestServer;
  const calls: TokenCall[] = [];
  const client = new UpstreamClient();
  let now = 1_000_000;
  const clock = { now: () => now };
  let cache: OAuth2TokenCache;

  const creds = (path: string, extra: Partial<ClientCredentials> = {}): ClientCredentials => ({
    tokenUrl: `${server.url}${path}`,
    clientId: 'client 1',
    clientSecret: SECRET,
    scopes: ['read:pets', 'write:pets'],
    ...extra,
  });

  const failure = async (promise: Promise<unknown>): Promise<AppError> => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect(JSON.stringify((err as AppError).toBody())).not.toContain(SECRET);
    return err as AppError;
  };

  beforeAll(async () => {
    server = await startTokenServer(calls);
  });
  beforeEach(() => {
    calls.length = 0;
    cache = new OAuth2TokenCache(client, { clock });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('posts a client-credentials form with HTTP Basic client auth and space-joined scopes', async () => {
    expect(await cache.get(creds('/token?ttl=3600'))).toMatch(/^tok-\d+$/);
    expect(calls).toEqual([
      {
        path: '/token',
        authorization: `Basic ${Buffer.from(`client+1:${SECRET}`).toString('base64')}`,
        form: { grant_type: 'client_credentials', scope: 'read:pets write:pets' },
      },
    ]);
  });

  it('can send the client credentials in the form instead', async () => {
    const bodyAuth = new OAuth2TokenCache(client, { clock, clientAuth: 'body' });
    await bodyAuth.get(creds('/token?ttl=60', { scopes: [] }));
    expect(calls[0]).toEqual({ path: '/token', authorization: undefined, form: { grant_type: 'client_credentials', client_id: 'client 1', client_secret: SECRET } });
  });

  it('caches per (tokenUrl, clientId, scopes): scope order does not matter, other scopes do', async () => {
    const first = await cache.get(creds('/token?ttl=3600'));
    expect(await cache.get(creds('/token?ttl=3600', { scopes: ['write:pets', 'read:pets'] }))).toBe(first);
    expect(calls).toHaveLength(1);
    expect(await cache.get(creds('/token?ttl=3600', { scopes: ['read:pets'] }))).not.toBe(first);
    expect(await cache.get(creds('/token?ttl=3600', { clientId: 'client 2' }))).not.toBe(first);
    expect(await cache.get(creds('/token?ttl=3600', { clientSecret: 'other' }))).not.toBe(first);
    expect(calls).toHaveLength(4);
  });

  const expiries: Array<[string, string, number, number]> = [
    ['expires_in minus the 30 s skew', '/token?ttl=120', 89_999, 90_000],
    ['1 h when expires_in is absent', '/token', 3_599_999, 3_600_000],
    ['half the life of tokens shorter than twice the skew', '/token?ttl=40', 19_999, 20_000],
  ];
  it.each(expiries)('keeps a token for %s', async (_name, path, stillCached, refetchedAt) => {
    const start = now;
    const first = await cache.get(creds(path));
    now = start + stillCached;
    expect(await cache.get(creds(path))).toBe(first);
    expect(calls).toHaveLength(1);
    now = start + refetchedAt;
    expect(await cache.get(creds(path))).not.toBe(first);
    expect(calls).toHaveLength(2);
  });

  it('fetches once for many concurrent callers', async () => {
    const tokens = await Promise.all(Array.from({ length: 20 }, () => cache.get(creds('/token?ttl=3600&delay=100'))));
    expect(new Set(tokens).size).toBe(1);
    expect(calls).toHaveLength(1);
  });

  it('invalidate(key) forces a fresh token; a stale token does not evict the fresh one', async () => {
    const c = creds('/token?ttl=3600');
    const old = await cache.get(c);
    cache.invalidate(tokenCacheKey(c), old);
    const fresh = await cache.get(c);
    expect(fresh).not.toBe(old);
    cache.invalidate(tokenCacheKey(c), old); // a late 401 for the old token
    expect(await cache.get(c)).toBe(fresh);
    cache.invalidate(tokenCacheKey(c));
    expect(await cache.get(c)).not.toBe(fresh);
    expect(calls).toHaveLength(3);
  });

  it('a 401 from the token endpoint is UPSTREAM with the status, nothing secret, and is not cached', async () => {
    const err = await failure(cache.get(creds('/token-401')));
    expect(err.code).toBe('UPSTREAM');
    expect(err.message).toBe('token endpoint answered 401');
    expect(err.details).toEqual({ status: 401, error: 'invalid_client' });
    await failure(cache.get(creds('/token-401')));
    expect(calls).toHaveLength(2);
  });

  it('an answer without access_token is UPSTREAM', async () => {
    const err = await failure(cache.get(creds('/token-empty')));
    expect([err.code, err.message]).toEqual(['UPSTREAM', 'token endpoint answered without an access_token']);
  });

  it('an unreachable token endpoint is UNAVAILABLE', async () => {
    const port = await closedPort();
    const err = await failure(cache.get({ ...creds('/token'), tokenUrl: `http://127.0.0.1:${port}/token` }));
    expect([err.code, err.message]).toEqual(['UNAVAILABLE', 'oauth2 token request failed: upstream unreachable: ECONNREFUSED']);
  });

  it('a token endpoint that does not answer in time is TIMEOUT', async () => {
    const slow = new OAuth2TokenCache(client, { clock, timeoutMs: 100 });
    const err = await failure(slow.get(creds('/token?delay=2000')));
    expect([err.code, err.message]).toEqual(['TIMEOUT', 'oauth2 token request failed: upstream did not answer within 100 ms']);
  });

  it('the cache key names no secret', () => {
    expect(tokenCacheKey(creds('/token'))).not.toContain(SECRET);
  });
});
