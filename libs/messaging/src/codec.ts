import { AppError, DEFAULT_MAX_MESSAGE_BYTES } from '@autoweave/contracts';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value ?? {}));
}

/**
 * Decodes a message body as JSON. An empty body is `{}` (so `nats req subject ''`
 * works); anything over `maxBytes`, not UTF-8, or not JSON is a VALIDATION error.
 */
export function decodeJson(data: Uint8Array, maxBytes = DEFAULT_MAX_MESSAGE_BYTES): unknown {
  if (data.byteLength > maxBytes) {
    throw new AppError('VALIDATION', `message of ${data.byteLength} bytes exceeds the limit of ${maxBytes} bytes`, {
      limitBytes: maxBytes,
    });
  }
  if (data.byteLength === 0) return {};
  let text: string;
  try {
    text = decoder.decode(data);
  } catch {
    throw new AppError('VALIDATION', 'message body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError('VALIDATION', `message body is not valid JSON: ${(err as Error).message}`);
  }
}
