import { AppError, isValidTopic } from '@autoweave/contracts';
import type { ConfigSchema } from '../../types.js';

export interface NatsConfig {
  /**
   * Source: a subject filter over a stream (`events.>`, `webhook.in.*.push`).
   * Destination: the subject to publish to (tokens, no wildcards).
   */
  subject: string;
  /** The stream (default: the one whose subjects capture `subject`). For a destination, publishing expects it. */
  stream?: string;
  /** Destination: append this item field's value as the last subject token (`orders` + `eu` -> `orders.eu`). */
  subjectField?: string;
  /**
   * Destination: the item fields that identify it. The message id (JetStream
   * dedupe) is derived from the subject, these fields and the item's content:
   * a repeated batch is dropped within the stream's duplicate window, a changed
   * item is not.
   */
  keyFields?: string[];
}

const FIELD = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_-]{0,99}$' };

export const natsConfigSchema: ConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['subject'],
  properties: {
    subject: { type: 'string', minLength: 1, maxLength: 200, description: 'source: a subject filter (events.>); destination: a subject without wildcards' },
    stream: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'stream name (default: found from the subject)' },
    subjectField: { ...FIELD, description: 'destination: item field appended as the last subject token' },
    keyFields: { type: 'array', minItems: 1, maxItems: 16, uniqueItems: true, items: FIELD, description: 'destination: item fields that identify it (message id)' },
  },
};

const TOKEN = /^[A-Za-z0-9_-]+$/;

/** A subject filter: tokens, `*` for one token, `>` as the last token for the rest. */
export function isValidSubjectFilter(filter: unknown): filter is string {
  if (typeof filter !== 'string' || filter.length === 0 || filter.length > 200) return false;
  const tokens = filter.split('.');
  return tokens.every((token, i) => TOKEN.test(token) || token === '*' || (token === '>' && i === tokens.length - 1));
}

/** The item field's value as a subject token, or VALIDATION naming the item and field. */
export function subjectToken(value: unknown, field: string, index: number): string {
  const token = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof token !== 'string' || !TOKEN.test(token) || token.length > 100) {
    throw new AppError('VALIDATION', `item ${index}: ${field} must be a subject token (letters, digits, _ or -) to name the subject; got ${JSON.stringify(value)?.slice(0, 60)}`, {
      field,
      index,
    });
  }
  return token;
}

export function checkNatsConfig(config: NatsConfig, role: 'source' | 'destination', where: string): void {
  const fail = (field: string, message: string): never => {
    throw new AppError('VALIDATION', `${where}.${field} ${message}`, { field: `${where}.${field}` });
  };
  if (role === 'source') {
    if (!isValidSubjectFilter(config.subject)) fail('subject', 'must be a subject filter: tokens of letters, digits, _ or -, `*` for one token, `>` as the last');
    if (config.subjectField !== undefined) fail('subjectField', 'is for a destination');
    if (config.keyFields !== undefined) fail('keyFields', 'is for a destination');
    return;
  }
  if (!isValidTopic(config.subject)) fail('subject', 'must be a subject of tokens (letters, digits, _ or -) without wildcards');
}
