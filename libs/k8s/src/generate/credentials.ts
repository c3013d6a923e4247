import type { ParsedApi, SecurityScheme } from '@autoweave/openapi';
import { shortHash } from './names.js';

/** One environment variable filled from the integration's credentials Secret. */
export interface CredentialEnv {
  /** The security scheme's name in the spec. */
  scheme: string;
  type: SecurityScheme['type'];
  /** Environment variable name: AUTOWEAVE_AUTH_<SCHEME>_<PART>. */
  env: string;
  /** Key in the `<name>-credentials` Secret: <scheme-slug>-<part>. */
  key: string;
}

/** Which secret parts a scheme needs. */
export function credentialParts(scheme: SecurityScheme): string[] {
  switch (scheme.type) {
    case 'apiKey':
      return ['api-key'];
    case 'http': {
      const s = scheme.scheme.toLowerCase();
      return s === 'basic' || s === 'digest' ? ['username', 'password'] : ['token'];
    }
    case 'oauth2':
    case 'openIdConnect':
      return ['client-id', 'client-secret'];
    case 'mutualTLS':
      return ['tls-crt', 'tls-key'];
  }
}

/** The names of the security schemes that at least one operation requires, sorted (only schemes the spec defines). */
export function requiredSchemes(api: ParsedApi): string[] {
  const names = new Set<string>();
  for (const op of api.operations) {
    for (const requirement of op.security) {
      for (const name of Object.keys(requirement)) if (Object.hasOwn(api.securitySchemes, name)) names.add(name);
    }
  }
  return [...names].sort();
}

function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return s === '' ? 'scheme' : s;
}

/**
 * The credential environment variables of every security scheme the spec's operations need, in a
 * fixed order (scheme name, then part). Values are never here: each is a secretKeyRef into the
 * integration's credentials Secret. Two schemes whose names give the same slug are told apart by a
 * hash of the scheme name.
 */
export function credentialEnv(api: ParsedApi): CredentialEnv[] {
  const out: CredentialEnv[] = [];
  const used = new Set<string>();
  for (const name of requiredSchemes(api)) {
    const scheme = api.securitySchemes[name]!;
    let s = slug(name);
    if (used.has(s)) s = `${s}-${shortHash(name)}`;
    used.add(s);
    for (const part of credentialParts(scheme)) {
      out.push({
        scheme: name,
        type: scheme.type,
        env: `AUTOWEAVE_AUTH_${s.toUpperCase().replace(/-/g, '_')}_${part.toUpperCase().replace(/-/g, '_')}`,
        key: `${s}-${part}`,
      });
    }
  }
  return out;
}
