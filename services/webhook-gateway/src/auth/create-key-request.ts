import { AppError } from '@autoweave/contracts';
import { isScope, normalizeScopes, SCOPES, type Scope } from './scopes.js';

export interface CreateApiKeyRequest {
  name: string;
  scopes: Scope[];
}

const ALLOWED_FIELDS = new Set(['name', 'scopes']);
const MAX_NAME = 100;

/** Checks the body of `POST /api/keys`; the gateway owns keys, so it validates them itself. */
export function parseCreateApiKeyRequest(body: unknown): CreateApiKeyRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('VALIDATION', 'request body must be a JSON object');
  }
  const problems: { field: string; problems: string[] }[] = [];
  const input = body as Record<string, unknown>;
  for (const field of Object.keys(input)) {
    if (!ALLOWED_FIELDS.has(field)) problems.push({ field, problems: [`property ${field} should not exist`] });
  }
  const name = typeof input.name === 'string' ? input.name.trim() : undefined;
  if (!name || name.length > MAX_NAME || /[\u0000-\u001f\u007f]/.test(name)) {
    problems.push({ field: 'name', problems: [`name must be a non-empty string of at most ${MAX_NAME} printable characters`] });
  }
  const scopes = input.scopes;
  if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every(isScope)) {
    problems.push({ field: 'scopes', problems: [`scopes must be a non-empty array of ${SCOPES.join(', ')}`] });
  }
  if (problems.length > 0) {
    const summary = problems.map((p) => `${p.field} (${p.problems.join('; ')})`).join(', ');
    throw new AppError('VALIDATION', `invalid fields: ${summary}`, { fields: problems });
  }
  return { name: name as string, scopes: normalizeScopes(scopes as Scope[]) };
}
