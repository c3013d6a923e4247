import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import type { SecurityRequirement, SecurityScheme } from '@autoweave/openapi';
import { applyAuth, type AppliedAuth, type AuthConfig } from './auth.js';
import { OAuth2TokenCache, tokenCacheKey } from './oauth2-token-cache.js';
import { ParamValidator } from './params.js';
import { buildRequest } from './request-builder.js';
import { startEchoServer, startServer, type Echo, type TestServer } from './testing/http-fixtures.js';
import { listPets, operation, securitySchemes } from './testing/petstore.js';
import { UpstreamClient } from './upstream-client.js';

const SECRETS = { apiKey: 'ak-SECRET-1', token: 'bt-SECRET-2', password: 'pw-SECRET-3', clientSecret: 'cs-SECRET-4' };
const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

interface Expected {
  headers?: Record<string, string | undefined>;
  query?: Record<string, string>;
  cookies?: Record<string, string>;
  schemes?: string[];
}

describe('applyAuth, sent to an echo server', () => {
  let echo: TestServer;
  let tokenServer: TestServer;
  let schemes: Record<string, SecurityScheme>;
  const client = new UpstreamClient();
  const tokens = new OAuth2TokenCache(client);
  const validator = new ParamValidator();
  const errors: AppError[] = [];

  beforeAll(async () => {
    echo = await startEchoServer();
    tokenServer = await startServer((req, body, res) => {
      const ok = req.headers.authorization === basic('app', SECRETS.clientSecret) && new URLSearchParams(body).get('grant_type') === 'client_credentials';
      res.statusCode = ok ? 200 : 401;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(ok ? { access_token: `oauth-${new URLSearchParams(body).get('scope') ?? 'none'}`, expires_in: 3600 } : { error: 'invalid_client' }));
    });
    schemes = {
      ...securitySchemes,
      petstore_auth: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: `${tokenServer.url}/token`, scopes: {} } } },
    };
  });
  afterAll(async () => {
    await client.close();
    await echo.close();
    await tokenServer.close();
    // No secret value reached any error thrown in this suite.
    for (const err of errors) for (const secret of Object.values(SECRETS)) expect(JSON.stringify(err.toBody())).not.toContain(secret);
  });

  const call = async (security: SecurityRequirement[], auth: AuthConfig | undefined, specSchemes = schemes): Promise<{ echo: Echo; applied: AppliedAuth }> => {
    const op = { ...listPets, security };
    const request = buildRequest(op, validator.validate(op, { limit: 5 }), `${echo.url}/v1`);
    const applied = await applyAuth(request, op, specSchemes, auth, tokens);
    const res = await client.send(request, { timeoutMs: 5_000 });
    return { echo: res.body as Echo, applied };
  };

  const refused = async (security: SecurityRequirement[], auth: AuthConfig | undefined, specSchemes = schemes): Promise<AppError> => {
    const err = await call(security, auth, specSchemes).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    errors.push(err as AppError);
    return err as AppError;
  };

  const cases: Array<[string, SecurityRequirement[], AuthConfig | undefined, Expected]> = [
    ['apiKey in a header', [{ api_key: [] }], { type: 'apiKey', apiKey: SECRETS.apiKey }, { headers: { 'x-api-key': SECRETS.apiKey }, schemes: ['api_key'] }],
    ['apiKey in the query', [{ api_key_query: [] }], { type: 'apiKey', apiKey: SECRETS.apiKey }, { query: { limit: '5', api_key: SECRETS.apiKey } }],
    ['apiKey in a cookie', [{ api_key_cookie: [] }], { type: 'apiKey', apiKey: SECRETS.apiKey }, { cookies: { sid: SECRETS.apiKey } }],
    ['apiKey: auth.in / auth.name override the scheme', [{ api_key: [] }], { type: 'apiKey', apiKey: SECRETS.apiKey, in: 'query', name: 'key' }, { query: { limit: '5', key: SECRETS.apiKey }, headers: { 'x-api-key': undefined } }],
    ['http bearer', [{ bearerAuth: [] }], { type: 'bearer', token: SECRETS.token }, { headers: { authorization: `Bearer ${SECRETS.token}` } }],
    ['http basic (scheme name case-insensitive)', [{ basicAuth: [] }], { type: 'basic', username: 'ann', password: SECRETS.password }, { headers: { authorization: basic('ann', SECRETS.password) } }],
    ['oauth2 client credentials with the requirement scopes', [{ petstore_auth: ['read:pets'] }], { type: 'oauth2', clientId: 'app', clientSecret: SECRETS.clientSecret }, { headers: { authorization: 'Bearer oauth-read:pets' } }],
    ['oauth2: auth.scopes override', [{ petstore_auth: ['read:pets'] }], { type: 'oauth2', clientId: 'app', clientSecret: SECRETS.clientSecret, scopes: ['admin'] }, { headers: { authorization: 'Bearer oauth-admin' } }],
    ['a bearer token satisfies an oauth2 scheme', [{ petstore_auth: [] }], { type: 'bearer', token: SECRETS.token }, { headers: { authorization: `Bearer ${SECRETS.token}` } }],
    ['the first requirement the config fits wins', [{ basicAuth: [] }, { bearerAuth: [] }, { api_key: [] }], { type: 'apiKey', apiKey: SECRETS.apiKey }, { headers: { 'x-api-key': SECRETS.apiKey, authorization: undefined }, schemes: ['api_key'] }],
    ['all schemes of one requirement apply', [{ api_key: [], api_key_query: [] }], { type: 'apiKey', apiKey: SECRETS.apiKey }, { headers: { 'x-api-key': SECRETS.apiKey }, query: { limit: '5', api_key: SECRETS.apiKey }, schemes: ['api_key', 'api_key_query'] }],
    ['auth.scheme picks among declared schemes', [{ api_key: [] }, { api_key_cookie: [] }], { type: 'apiKey', apiKey: SECRETS.apiKey, scheme: 'api_key_cookie' }, { headers: { 'x-api-key': undefined }, cookies: { sid: SECRETS.apiKey } }],
    ['security: [] gets no auth', [], { type: 'bearer', token: SECRETS.token }, { headers: { authorization: undefined }, schemes: [] }],
    ['optional auth ({}) without config', [{}, { bearerAuth: [] }], undefined, { headers: { authorization: undefined }, schemes: [] }],
    ['optional auth ({}) with a fitting config', [{}, { bearerAuth: [] }], { type: 'bearer', token: SECRETS.token }, { headers: { authorization: `Bearer ${SECRETS.token}` } }],
  ];

  it.each(cases)('%s', async (_name, security, auth, expected) => {
    const { echo: seen, applied } = await call(security, auth);
    for (const [name, value] of Object.entries(expected.headers ?? {})) expect(seen.headers[name]).toBe(value);
    if (expected.query) expect(seen.query).toEqual(expected.query);
    if (expected.cookies) expect(seen.cookies).toEqual(expected.cookies);
    if (expected.schemes) expect(applied.schemes).toEqual(expected.schemes);
  });

  const specless: Array<[string, AuthConfig, Expected]> = [
    ['apiKey defaults to header X-API-Key', { type: 'apiKey', apiKey: SECRETS.apiKey }, { headers: { 'x-api-key': SECRETS.apiKey }, schemes: ['config.auth'] }],
    ['apiKey where auth.in/auth.name say', { type: 'apiKey', apiKey: SECRETS.apiKey, in: 'cookie', name: 'k' }, { cookies: { k: SECRETS.apiKey } }],
    ['bearer', { type: 'bearer', token: SECRETS.token }, { headers: { authorization: `Bearer ${SECRETS.token}` } }],
    ['basic', { type: 'basic', username: 'ann', password: SECRETS.password }, { headers: { authorization: basic('ann', SECRETS.password) } }],
  ];
  it.each(specless)('a spec without security schemes: %s', async (_name, auth, expected) => {
    const { echo: seen, applied } = await call([], auth, {});
    for (const [name, value] of Object.entries(expected.headers ?? {})) expect(seen.headers[name]).toBe(value);
    if (expected.cookies) expect(seen.cookies).toEqual(expected.cookies);
    if (expected.schemes) expect(applied.schemes).toEqual(expected.schemes);
  });

  it('oauth2 reports the token cache key so a 401 can invalidate it', async () => {
    const auth: AuthConfig = { type: 'oauth2', clientId: 'app', clientSecret: SECRETS.clientSecret, tokenUrl: `${tokenServer.url}/token` };
    const { applied, echo: seen } = await call([], auth, {});
    expect(applied.schemes).toEqual(['config.auth']);
    expect(seen.headers.authorization).toBe('Bearer oauth-none');
    const { applied: withSpec } = await call([{ petstore_auth: ['read:pets'] }], auth);
    expect(withSpec.oauth2).toEqual({ key: tokenCacheKey({ tokenUrl: `${tokenServer.url}/token`, clientId: 'app', clientSecret: SECRETS.clientSecret, scopes: ['read:pets'] }), token: 'oauth-read:pets' });
  });

  const refusals: Array<[string, SecurityRequirement[], AuthConfig | undefined, string]> = [
    ['no config for an op that needs auth', [{ bearerAuth: [] }, { api_key: [] }], undefined, 'operation listPets needs one of: bearerAuth (http bearer), api_key (apiKey in header X-API-Key); configure config.auth'],
    ['a config of another type', [{ bearerAuth: [] }], { type: 'basic', username: 'ann', password: SECRETS.password }, 'operation listPets needs one of: bearerAuth (http bearer); configure config.auth (config.auth of type basic fits none of them)'],
    ['a config lacking its secret', [{ api_key: [] }], { type: 'apiKey' }, 'operation listPets needs one of: api_key (apiKey in header X-API-Key); configure config.auth (config.auth of type apiKey fits none of them)'],
    ['only one of two schemes satisfiable', [{ api_key: [], basicAuth: [] }], { type: 'apiKey', apiKey: SECRETS.apiKey }, 'operation listPets needs one of: api_key (apiKey in header X-API-Key) + basicAuth (http basic); configure config.auth (config.auth of type apiKey fits none of them)'],
    ['mutual TLS', [{ mtls: [] }], { type: 'bearer', token: SECRETS.token }, 'operation listPets needs one of: mtls (mutualTLS); configure config.auth (config.auth of type bearer fits none of them)'],
    ['auth.scheme names a scheme the op does not accept', [{ api_key: [] }], { type: 'apiKey', apiKey: SECRETS.apiKey, scheme: 'api_key_cookie' }, 'operation listPets needs one of: api_key (apiKey in header X-API-Key); configure config.auth (config.auth of type apiKey for scheme api_key_cookie fits none of them)'],
  ];
  it.each(refusals)('refuses %s with VALIDATION naming the schemes', async (_name, security, auth, message) => {
    const err = await refused(security, auth);
    expect(err.code).toBe('VALIDATION');
    expect(err.message).toBe(message);
  });

  it('a spec without schemes and an incomplete config is VALIDATION', async () => {
    const err = await refused([], { type: 'oauth2', clientId: 'app', clientSecret: SECRETS.clientSecret }, {});
    expect([err.code, err.message]).toEqual(['VALIDATION', 'config.auth of type oauth2 lacks clientId, clientSecret and tokenUrl']);
  });

  it('a wrong client secret surfaces the token endpoint error without the secret', async () => {
    const err = await refused([{ petstore_auth: [] }], { type: 'oauth2', clientId: 'app', clientSecret: `${SECRETS.clientSecret}-wrong` });
    expect([err.code, err.message]).toEqual(['UPSTREAM', 'token endpoint answered 401']);
  });

  it('a header secret with a line break is refused without quoting it', async () => {
    const err = await refused([{ bearerAuth: [] }], { type: 'bearer', token: `${SECRETS.token}\r\nx: y` });
    expect(err.message).toBe('config.auth: the authorization header value must not contain line breaks');
  });

  it('ops with security [] stay unauthenticated even with operation() defaults', async () => {
    const op = operation({ operationId: 'open', path: '/open' });
    const request = buildRequest(op, validator.validate(op, {}), echo.url);
    await applyAuth(request, op, schemes, { type: 'bearer', token: SECRETS.token }, tokens);
    expect(request.headers.authorization).toBeUndefined();
  });
});
