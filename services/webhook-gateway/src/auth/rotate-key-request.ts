import { AppError } from '@autoweave/contracts';

export interface RotateApiKeyRequest {
  /** How long the replaced secret keeps working, in seconds (0: refused at once). */
  graceSeconds: number;
}

/** An hour: time to roll a new secret out to every client of a key. */
export const DEFAULT_ROTATION_GRACE_SECONDS = 3600;
/** A week: a replaced secret that lives longer is a second key, not a grace period. */
export const MAX_ROTATION_GRACE_SECONDS = 7 * 24 * 3600;

/** Checks the body of `POST /api/keys/:id/rotate`: absent, `{}` or `{ "graceSeconds": n }`. */
export function parseRotateApiKeyRequest(body: unknown): RotateApiKeyRequest {
  if (body === undefined || body === null) return { graceSeconds: DEFAULT_ROTATION_GRACE_SECONDS };
  if (typeof body !== 'object' || Array.isArray(body)) throw new AppError('VALIDATION', 'request body must be a JSON object');
  const problems: { field: string; problems: string[] }[] = [];
  const input = body as Record<string, unknown>;
  for (const field of Object.keys(input)) {
    if (field !== 'graceSeconds') problems.push({ field, problems: [`property ${field} should not exist`] });
  }
  const grace = input.graceSeconds;
  if (grace !== undefined && !(typeof grace === 'number' && Number.isInteger(grace) && grace >= 0 && grace <= MAX_ROTATION_GRACE_SECONDS)) {
    problems.push({ field: 'graceSeconds', problems: [`graceSeconds must be an integer between 0 and ${MAX_ROTATION_GRACE_SECONDS} (seconds); got ${JSON.stringify(grace)}`] });
  }
  if (problems.length > 0) {
    const summary = problems.map((p) => `${p.field} (${p.problems.join('; ')})`).join(', ');
    throw new AppError('VALIDATION', `invalid fields: ${summary}`, { fields: problems });
  }
  return { graceSeconds: (grace as number | undefined) ?? DEFAULT_ROTATION_GRACE_SECONDS };
}
