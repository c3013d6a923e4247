import { ExecuteRequestDto, validateDto } from '@autoweave/contracts';

/** What class-validator's `@IsUUID('4')` accepts (validator.js's v4 pattern). */
const UUID_V4 = /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/i;
/** `@MaxLength(300)` on action. validator.js counts a surrogate pair as one character, so fewer UTF-16 units is always within. */
const MAX_ACTION_LENGTH = 300;
const MAX_TIMEOUT_MS = 300_000;
const FIELDS = new Set(['integrationId', 'action', 'params', 'timeoutMs']);

/**
 * The execute request, validated. `ExecuteRequestDto` (class-validator) is the
 * rule; running it costs more per call than the rest of the hub's own work
 * (docs/PERFORMANCE.md), so a request that plainly satisfies it is accepted
 * with a few checks and anything else, valid or not, goes through
 * `validateDto`, which gives the VALIDATION error naming the fields. The fast
 * check may only be stricter than the DTO, never looser (execute-request.test.ts
 * compares the two).
 */
export function validateExecuteRequest(payload: unknown): ExecuteRequestDto | Promise<ExecuteRequestDto> {
  return plainlyValid(payload) ? payload : validateDto(ExecuteRequestDto, payload);
}

/** True when every DTO rule holds for certain; false sends the payload to the DTO. */
export function plainlyValid(payload: unknown): payload is ExecuteRequestDto {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return false;
  for (const key in payload) if (!FIELDS.has(key)) return false;
  const { integrationId, action, params, timeoutMs } = payload as Record<string, unknown>;
  if (typeof integrationId !== 'string' || !UUID_V4.test(integrationId)) return false;
  if (typeof action !== 'string' || action.length > MAX_ACTION_LENGTH) return false;
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) return false;
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && (timeoutMs as number) >= 1 && (timeoutMs as number) <= MAX_TIMEOUT_MS)) return false;
  return Object.getPrototypeOf(payload) === Object.prototype;
}
