import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { DeliveryAttempt, DeliveryOutcome } from '@autoweave/contracts';
import type { WebhookEndpoint } from '../endpoints.js';
import { SIGNATURE_VERSION } from '../signature.js';
import type { EndpointGuards, GuardedResult } from './endpoint-guards.js';
import { isoFromMs, webhookBody } from './payload.js';

/** An event of the EVENTS stream, as delivered. */
export interface OutboundEvent {
  /** EVENTS stream sequence: the webhook-id is `msg_<seq>`. */
  seq: number;
  /** The topic, without `events.`. */
  topic: string;
  /** When the event was stored (ISO). */
  timestamp: string;
  /** The stored data bytes (JSON). */
  data: Uint8Array;
}

export type Trigger = DeliveryAttempt['trigger'];

export interface AttemptOptions {
  attempt: number;
  trigger: Trigger;
  /** Replays skip the breaker: an operator asking for one wants to know whether the receiver is back. */
  bypassBreaker?: boolean;
  /** Called while the attempt waits for the endpoint's rate limit. */
  keepAlive?: () => void;
}

/** One attempt's result, and the parts of it the caller decides on. */
export interface AttemptResult {
  result: GuardedResult;
  /** 2xx. */
  delivered: boolean;
  /** The receiver answered 410 Gone: it wants no more deliveries. */
  gone: boolean;
  retryAfterMs?: number;
  status?: number;
}

export function webhookId(seq: number): string {
  return `msg_${seq}`;
}

/** `msg_<seq>` back to the EVENTS sequence; undefined when it is not one of ours. */
export function sequenceOf(msgId: string): number | undefined {
  const match = /^msg_(\d{1,15})$/.exec(msgId);
  const seq = match ? Number(match[1]) : NaN;
  return Number.isSafeInteger(seq) && seq > 0 ? seq : undefined;
}

/** Headers a receiver's configuration may not set: ours, or the transport's. */
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', 'transfer-encoding', 'connection', 'webhook-id', 'webhook-timestamp', 'webhook-signature']);

/**
 * Makes and runs one delivery attempt: the Standard Webhooks body and headers
 * (signed with every key valid now, so a receiver knowing either the old or
 * the new secret verifies during a rotation's grace period), POSTed through
 * the endpoint's guards.
 */
export class AttemptRunner {
  private readonly ownHeaders = new WeakMap<WebhookEndpoint, Record<string, string>>();

  constructor(private readonly guards: EndpointGuards) {}

  async run(endpoint: WebhookEndpoint, event: OutboundEvent, options: AttemptOptions): Promise<AttemptResult> {
    const body = webhookBody(event.topic, event.timestamp, event.data);
    const now = Date.now();
    const msgId = webhookId(event.seq);
    const timestamp = String(Math.floor(now / 1000));
    const headers: Record<string, string> = Object.assign({}, this.userHeaders(endpoint));
    headers['content-type'] = 'application/json';
    headers['webhook-id'] = msgId;
    headers['webhook-timestamp'] = timestamp;
    headers['webhook-signature'] = webhookSignature(endpoint.keys(now), msgId, timestamp, body);
    const result = await this.guards.post(
      endpoint,
      { url: endpoint.url!, headers, body, timeoutMs: endpoint.timeoutMs },
      { bypassBreaker: options.bypassBreaker, keepAlive: options.keepAlive },
    );
    if (result.kind !== 'answered') return { result, delivered: false, gone: false };
    return {
      result,
      status: result.status,
      delivered: result.status >= 200 && result.status < 300,
      gone: result.status === 410,
      retryAfterMs: result.retryAfterMs,
    };
  }

  private userHeaders(endpoint: WebhookEndpoint): Record<string, string> {
    let headers = this.ownHeaders.get(endpoint);
    if (!headers) {
      headers = Object.fromEntries(Object.entries(endpoint.headers).filter(([name, value]) => typeof value === 'string' && !RESERVED_HEADERS.has(name.toLowerCase())));
      this.ownHeaders.set(endpoint, headers);
    }
    return headers;
  }
}

/** HMAC keys as KeyObjects, made once per key: createHmac with a Buffer key prepares a key object per call. */
const keyObjects = new WeakMap<Buffer, KeyObject>();

/**
 * The webhook-signature header: what signature.ts's `sign` makes (`v1,<base64
 * HMAC-SHA256 of "<id>.<timestamp>.<body>">` per key, space-separated), with
 * each key's KeyObject kept.
 */
export function webhookSignature(keys: readonly Buffer[], msgId: string, timestamp: string, body: Buffer): string {
  let header = '';
  for (const key of keys) {
    let keyObject = keyObjects.get(key);
    if (!keyObject) keyObjects.set(key, (keyObject = createSecretKey(key)));
    const sig = createHmac('sha256', keyObject).update(`${msgId}.${timestamp}.`).update(body).digest('base64');
    header += header ? ` ${SIGNATURE_VERSION},${sig}` : `${SIGNATURE_VERSION},${sig}`;
  }
  return header;
}

/** The DELIVERIES record of an attempt: what happened, never the request's headers or the secret. */
export function attemptRecord(
  endpoint: Pick<WebhookEndpoint, 'id'>,
  event: Pick<OutboundEvent, 'seq' | 'topic'>,
  options: Pick<AttemptOptions, 'attempt' | 'trigger'>,
  attempt: AttemptResult,
  outcome: DeliveryOutcome,
  extra: { nextAttemptAt?: string; error?: string } = {},
): DeliveryAttempt {
  const { result } = attempt;
  const record: DeliveryAttempt = {
    msgId: webhookId(event.seq),
    integrationId: endpoint.id,
    topic: event.topic,
    attempt: options.attempt,
    outcome,
    trigger: options.trigger,
    latencyMs: result.latencyMs,
    at: isoFromMs(Date.now()),
  };
  if (result.kind === 'answered') {
    record.status = result.status;
    record.responseExcerpt = result.excerpt;
    if (!attempt.delivered) record.error = `receiver answered ${result.status}`;
  } else {
    record.error = result.kind === 'breakerOpen' ? `not sent: ${result.error}` : result.error;
  }
  if (extra.error) record.error = record.error ? `${record.error}; ${extra.error}` : extra.error;
  if (extra.nextAttemptAt) record.nextAttemptAt = extra.nextAttemptAt;
  return record;
}
