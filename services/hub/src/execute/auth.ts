import type { Operation, SecurityRequirement, SecurityScheme } from '@autoweave/openapi';
import { AppError, type AuthDto } from '@autoweave/contracts';
import { tokenCacheKey, type ClientCredentials, type OAuth2TokenCache } from './oauth2-token-cache.js';
import type { UpstreamRequest } from './upstream-types.js';

/** The integration's decrypted `config.auth` (AuthDto's shape, secrets in clear). */
export type AuthConfig = Pick<AuthDto, keyof AuthDto>;

/** What applyAuth did. */
export interface AppliedAuth {
  /** Security schemes applied (`config.auth` when the spec declares none); empty when none was needed. */
  schemes: string[];
  /** Set when an OAuth2 token was sent: on a 401, `tokens.invalidate(key, token)` and retry once. */
  oauth2?: { key: string; token: string };
}

/** Where the key goes when the spec declares no security scheme and config.auth names no place. */
export const DEFAULT_API_KEY_HEADER = 'X-API-Key';

type Place = 'header' | 'query' | 'cookie';

/** One credential, ready to be put on a request. */
type Credential =
  | { kind: 'apiKey'; in: Place; name: string; value: string }
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'oauth2'; credentials: ClientCredentials };

/**
 * Puts the configured credentials on `request` as the operation's security asks:
 * the first of `op.security`'s requirements that `auth` can satisfy wins (an empty
 * requirement `{}` makes auth optional). Operations with `security: []` get no auth,
 * unless the spec declares no scheme at all: then `auth` is applied by its own type
 * (apiKey in header X-API-Key unless auth.in/auth.name say otherwise).
 *
 * @throws AppError VALIDATION when the operation needs auth that `auth` cannot give
 *   (the message names schemes and types, never a secret value); whatever
 *   `tokens.get` throws for OAuth2.
 */
export async function applyAuth(
  request: UpstreamRequest,
  op: Operation,
  schemes: Record<string, SecurityScheme>,
  auth: AuthConfig | undefined,
  tokens: OAuth2TokenCache,
): Promise<AppliedAuth> {
  if (Object.keys(schemes).length === 0) {
    if (auth === undefined) return { schemes: [] };
    const credential = credentialFromConfig(auth);
    if (!credential) throw new AppError('VALIDATION', `config.auth of type ${auth.type} lacks ${requiredFieldsOf(auth.type)}`, { type: auth.type });
    return put(request, [['config.auth', credential]], tokens);
  }
  const chosen = chooseRequirement(op.security, schemes, auth);
  if (chosen === 'none') return { schemes: [] };
  if (chosen === undefined) throw missingAuthError(op, schemes, auth);
  return put(request, chosen, tokens);
}

/** Credentials for the first satisfiable requirement; 'none' when auth is optional or not needed. */
function chooseRequirement(
  security: SecurityRequirement[],
  schemes: Record<string, SecurityScheme>,
  auth: AuthConfig | undefined,
): Array<[string, Credential]> | 'none' | undefined {
  if (security.length === 0) return 'none';
  // auth.scheme restricts matching to that scheme, when it is one the spec declares.
  const only = auth?.scheme !== undefined && Object.hasOwn(schemes, auth.scheme) ? auth.scheme : undefined;
  let optional = false;
  for (const requirement of security) {
    const entries = Object.entries(requirement);
    if (entries.length === 0) {
      optional = true;
      continue;
    }
    if (auth === undefined) continue;
    const credentials = entries.map(([name, scopes]) => [name, only === undefined || only === name ? credentialFor(schemes[name], scopes, auth) : undefined] as const);
    if (credentials.every(([, c]) => c !== undefined)) return credentials as Array<[string, Credential]>;
  }
  return optional ? 'none' : undefined;
}

/** The credential `auth` gives for one scheme of a requirement, if it fits. */
function credentialFor(scheme: SecurityScheme | undefined, scopes: string[], auth: AuthConfig): Credential | undefined {
  if (scheme === undefined) return credentialFromConfig(auth); // referenced but not declared: trust the config
  switch (scheme.type) {
    case 'apiKey':
      return auth.type === 'apiKey' && auth.apiKey ? { kind: 'apiKey', in: auth.in ?? scheme.in, name: auth.name ?? scheme.name, value: auth.apiKey } : undefined;
    case 'http':
      return httpCredential(scheme.scheme.toLowerCase(), auth);
    case 'oauth2':
      return bearerCredential(auth) ?? oauth2Credential(auth, scheme.flows.clientCredentials?.tokenUrl, scopes);
    case 'openIdConnect':
      return bearerCredential(auth) ?? oauth2Credential(auth, undefined, scopes);
    default:
      return undefined; // mutualTLS: a client certificate is not something config.auth holds
  }
}

function httpCredential(httpScheme: string, auth: AuthConfig): Credential | undefined {
  if (httpScheme === 'bearer') return bearerCredential(auth) ?? oauth2Credential(auth, undefined, []);
  if (httpScheme === 'basic' && auth.type === 'basic' && auth.username !== undefined) {
    return { kind: 'basic', username: auth.username, password: auth.password ?? '' };
  }
  return undefined;
}

function bearerCredential(auth: AuthConfig): Credential | undefined {
  return auth.type === 'bearer' && auth.token ? { kind: 'bearer', token: auth.token } : undefined;
}

function oauth2Credential(auth: AuthConfig, specTokenUrl: string | undefined, scopes: string[]): Credential | undefined {
  const tokenUrl = auth.tokenUrl ?? specTokenUrl;
  if (auth.type !== 'oauth2' || !auth.clientId || auth.clientSecret === undefined || !tokenUrl) return undefined;
  return { kind: 'oauth2', credentials: { tokenUrl, clientId: auth.clientId, clientSecret: auth.clientSecret, scopes: auth.scopes ?? scopes } };
}

/** The credential of `auth` on its own, for specs that declare no security scheme. */
function credentialFromConfig(auth: AuthConfig): Credential | undefined {
  switch (auth.type) {
    case 'apiKey':
      return auth.apiKey ? { kind: 'apiKey', in: auth.in ?? 'header', name: auth.name ?? DEFAULT_API_KEY_HEADER, value: auth.apiKey } : undefined;
    case 'bearer':
      return bearerCredential(auth);
    case 'basic':
      return httpCredential('basic', auth);
    case 'oauth2':
      return oauth2Credential(auth, undefined, []);
    default:
      return undefined;
  }
}

function requiredFieldsOf(type: string): string {
  const fields: Record<string, string> = { apiKey: 'apiKey', bearer: 'token', basic: 'username', oauth2: 'clientId, clientSecret and tokenUrl' };
  return fields[type] ?? 'a supported type (apiKey, bearer, basic, oauth2)';
}

async function put(request: UpstreamRequest, credentials: Array<[string, Credential]>, tokens: OAuth2TokenCache): Promise<AppliedAuth> {
  const applied: AppliedAuth = { schemes: [] };
  for (const [name, credential] of credentials) {
    if (credential.kind === 'oauth2') {
      const token = await tokens.get(credential.credentials);
      setHeader(request, 'authorization', `Bearer ${token}`);
      applied.oauth2 = { key: tokenCacheKey(credential.credentials), token };
    } else {
      putStatic(request, credential);
    }
    applied.schemes.push(name);
  }
  return applied;
}

function putStatic(request: UpstreamRequest, credential: Exclude<Credential, { kind: 'oauth2' }>): void {
  switch (credential.kind) {
    case 'bearer':
      return setHeader(request, 'authorization', `Bearer ${credential.token}`);
    case 'basic':
      return setHeader(request, 'authorization', `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`);
    case 'apiKey':
      if (credential.in === 'header') return setHeader(request, credential.name, credential.value);
      if (credential.in === 'query') return appendQuery(request, credential.name, credential.value);
      return appendCookie(request, credential.name, credential.value);
  }
}

function setHeader(request: UpstreamRequest, name: string, value: string): void {
  if (/[\r\n\0]/.test(value)) throw new AppError('VALIDATION', `config.auth: the ${name} header value must not contain line breaks`);
  request.headers[name.toLowerCase()] = value;
}

function appendQuery(request: UpstreamRequest, name: string, value: string): void {
  const separator = request.url.includes('?') ? '&' : '?';
  request.url = `${request.url}${separator}${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
}

/** Cookie values go as they are when they are valid cookie-octets (RFC 6265), else percent-encoded. */
function appendCookie(request: UpstreamRequest, name: string, value: string): void {
  const octets = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/.test(value) ? value : encodeURIComponent(value);
  const crumb = `${name}=${octets}`;
  request.headers.cookie = request.headers.cookie ? `${request.headers.cookie}; ${crumb}` : crumb;
}

function missingAuthError(op: Operation, schemes: Record<string, SecurityScheme>, auth: AuthConfig | undefined): AppError {
  const accepted = op.security.map((requirement) => Object.keys(requirement).map((name) => describeScheme(name, schemes[name])));
  const list = accepted.map((names) => names.join(' + ')).join(', ');
  const fit = auth ? ` (config.auth of type ${auth.type}${auth.scheme ? ` for scheme ${auth.scheme}` : ''} fits none of them)` : '';
  return new AppError('VALIDATION', `operation ${op.operationId} needs one of: ${list}; configure config.auth${fit}`, {
    operationId: op.operationId,
    accepted,
    ...(auth ? { configuredType: auth.type } : {}),
  });
}

function describeScheme(name: string, scheme: SecurityScheme | undefined): string {
  if (scheme === undefined) return `${name} (undeclared)`;
  switch (scheme.type) {
    case 'apiKey':
      return `${name} (apiKey in ${scheme.in} ${scheme.name})`;
    case 'http':
      return `${name} (http ${scheme.scheme.toLowerCase()})`;
    case 'oauth2':
      return `${name} (oauth2${scheme.flows.clientCredentials ? ' client credentials' : ''})`;
    default:
      return `${name} (${scheme.type})`;
  }
}
