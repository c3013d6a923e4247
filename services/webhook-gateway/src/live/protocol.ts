import { patternProblem } from './topic-pattern.js';

/**
 * The `/ws` protocol: JSON text frames, one message each (docs/WEBSOCKET.md).
 * Client -> server: auth, subscribe, unsubscribe, ping.
 * Server -> client: ready, subscribed, unsubscribed, event, dropped, pong, error.
 */
export type ClientMessage =
  | { type: 'auth'; key: string }
  | { type: 'subscribe'; topics: string[]; id?: string }
  | { type: 'unsubscribe'; topics: string[]; id?: string }
  | { type: 'ping'; id?: string };

export type ServerMessage =
  | { type: 'ready'; key: { id: string; name: string; scopes: readonly string[] }; families: Array<{ name: string; topics: readonly string[] }> }
  | { type: 'subscribed'; topics: string[]; families: string[]; id?: string }
  | { type: 'unsubscribed'; topics: string[]; families: string[]; id?: string }
  | { type: 'dropped'; count: number; message: string }
  | { type: 'pong'; ts: string; id?: string }
  | { type: 'error'; message: string; id?: string; topic?: string };

/** Close codes sent to a client, beside the standard ones (1001 going away, 1009 message too big). */
export const CLOSE_CODES = {
  /** No key, an invalid key, or a key revoked while connected. */
  unauthorized: 4401,
  /** No auth message within the auth timeout. */
  authTimeout: 4408,
  /** A message before auth that was not an auth message. */
  protocol: 4400,
} as const;

/** Patterns one client may hold at once. */
export const MAX_TOPICS_PER_CLIENT = 64;

const ID = /^[\x20-\x7e]{1,64}$/;

export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly id?: string,
    readonly topic?: string,
  ) {
    super(message);
  }
}

/** Parses one text frame from a client; throws ProtocolError naming the problem. */
export function parseClientMessage(text: string): ClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError('messages must be JSON objects');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProtocolError('messages must be JSON objects');
  const message = value as Record<string, unknown>;
  const id = message.id;
  if (id !== undefined && (typeof id !== 'string' || !ID.test(id))) throw new ProtocolError('id must be a string of 1 to 64 printable characters');
  switch (message.type) {
    case 'auth':
      if (typeof message.key !== 'string' || message.key.length === 0 || message.key.length > 512) throw new ProtocolError('auth needs a key (string)', id);
      return { type: 'auth', key: message.key };
    case 'subscribe':
    case 'unsubscribe':
      return { type: message.type, topics: topics(message.topics, id), ...(id === undefined ? {} : { id }) };
    case 'ping':
      return { type: 'ping', ...(id === undefined ? {} : { id }) };
    default:
      throw new ProtocolError('type must be one of auth, subscribe, unsubscribe, ping', id);
  }
}

function topics(value: unknown, id: string | undefined): string[] {
  if (!Array.isArray(value) || value.length === 0) throw new ProtocolError('topics must be a non-empty list of topic patterns', id);
  if (value.length > MAX_TOPICS_PER_CLIENT) throw new ProtocolError(`at most ${MAX_TOPICS_PER_CLIENT} topics per message`, id);
  for (const topic of value) {
    const problem = patternProblem(topic);
    if (problem) throw new ProtocolError(problem, id, typeof topic === 'string' ? topic : undefined);
  }
  return [...new Set(value as string[])];
}

export function frame(message: ServerMessage): string {
  return JSON.stringify(message);
}

/** An event frame, serialized once per event whatever the number of recipients. */
export function eventFrame(topic: string, data: unknown, ts: string): string {
  return JSON.stringify({ type: 'event', topic, data, ts });
}
