/**
 * API key scopes. They are ordered: admin implies write, write implies read.
 * GET routes need read, mutations need write, key management needs admin.
 */
export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const RANK: Record<Scope, number> = { read: 1, write: 2, admin: 3 };

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && Object.hasOwn(RANK, value);
}

/** True when any of the held scopes is at least the needed one. */
export function grants(held: readonly Scope[], needed: Scope): boolean {
  return held.some((scope) => isScope(scope) && RANK[scope] >= RANK[needed]);
}

/** Distinct scopes, lowest first. */
export function normalizeScopes(scopes: readonly Scope[]): Scope[] {
  return [...new Set(scopes)].sort((a, b) => RANK[a] - RANK[b]);
}
