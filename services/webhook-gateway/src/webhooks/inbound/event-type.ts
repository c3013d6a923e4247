import { AppError, isValidTopic } from '@autoweave/contracts';

const SHOWN_CHARS = 80;

/**
 * The event type of a Standard Webhooks payload (`{type, timestamp, data}`):
 * its `type` field, which becomes subject tokens (`webhook.in.<id>.<type>`),
 * so it must be dot-separated tokens of letters, digits, `_` and `-`.
 * Called only after the signature is verified: unauthenticated bodies are
 * never parsed.
 */
export function eventTypeOf(body: Buffer): string {
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('VALIDATION', 'webhook body is not valid JSON: a Standard Webhooks payload is {"type", "timestamp", "data"}');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new AppError('VALIDATION', 'webhook body must be a JSON object: a Standard Webhooks payload is {"type", "timestamp", "data"}');
  }
  const type = (payload as { type?: unknown }).type;
  if (type === undefined) throw new AppError('VALIDATION', 'webhook body has no "type" field (the event type, e.g. "user.created")', { field: 'type' });
  if (!isValidTopic(type)) {
    const shown = typeof type === 'string' ? JSON.stringify(type.slice(0, SHOWN_CHARS)) : typeof type;
    throw new AppError(
      'VALIDATION',
      `webhook body "type" must be dot-separated tokens of letters, digits, "_" and "-" (at most 200 characters), got ${shown}`,
      { field: 'type' },
    );
  }
  return type;
}
