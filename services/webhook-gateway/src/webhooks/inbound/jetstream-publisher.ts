import { randomBytes } from 'node:crypto';
import { AppError } from '@autoweave/contracts';
import { fromNatsError, type MsgHdrs, type NatsConnection, type Subscription } from '@autoweave/messaging';

export interface PubAck {
  stream: string;
  seq: number;
  duplicate: boolean;
}

interface Queued {
  token: string;
  subject: string;
  data: Uint8Array;
  headers: MsgHdrs;
}

interface Pending {
  subject: string;
  deadline: number;
  resolve: (ack: PubAck) => void;
  reject: (err: AppError) => void;
}

interface PubAckReply {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  error?: { code?: number; description?: string };
}

/** The inbox prefix nats.js uses too (connectNats sets no other). */
const INBOX_PREFIX = '_INBOX';
const NO_RESPONDERS = 503;

/**
 * JetStream publishes that wait for the stream's acknowledgement, for the
 * inbound webhook hot path. Same protocol as `JetStreamClient.publish` (a
 * publish with a reply subject; the stream answers a PubAck), but with one
 * inbox subscription, a map of waiting publishes and one timer for all
 * deadlines: nats.js's request builds two Error objects (for async stack
 * traces) and a timer per call, which profiling showed to be about a sixth of
 * the gateway's CPU per webhook.
 *
 * Publishes are sent together once per event-loop turn (setImmediate): the
 * webhooks whose requests arrived in one turn leave in one socket write
 * instead of one write each (nats.js flushes once per microtask checkpoint,
 * and every HTTP request is its own), for at most one event-loop turn of
 * latency. One write per webhook was the largest item left in the profile.
 */
export class JetStreamPublisher {
  private readonly inbox = `${INBOX_PREFIX}.${randomBytes(12).toString('hex')}.`;
  private readonly pending = new Map<string, Pending>();
  private readonly subscription: Subscription;
  private readonly timer: NodeJS.Timeout;
  private next = 0;
  private queue: Queued[] = [];
  private scheduled = false;
  private readonly flush = (): void => this.sendQueued();

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
  ) {
    this.subscription = nc.subscribe(`${this.inbox}*`, { callback: (_err, msg) => this.settle(msg.subject, msg.data, msg.headers) });
    this.timer = setInterval(() => this.expire(), Math.min(250, Math.max(10, timeoutMs / 4)));
    this.timer.unref();
  }

  /** Resolves with the stream's acknowledgement; rejects with UNAVAILABLE, TIMEOUT or the stream's refusal. */
  publish(subject: string, data: Uint8Array, headers: MsgHdrs): Promise<PubAck> {
    const token = (this.next++).toString(36);
    return new Promise<PubAck>((resolve, reject) => {
      this.pending.set(token, { subject, deadline: Date.now() + this.timeoutMs, resolve, reject });
      this.queue.push({ token, subject, data, headers });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  /** Stops listening for acknowledgements; publishes still waiting fail with UNAVAILABLE. */
  close(): void {
    this.sendQueued();
    clearInterval(this.timer);
    this.subscription.unsubscribe();
    for (const [token, pending] of this.pending) {
      this.pending.delete(token);
      pending.reject(new AppError('UNAVAILABLE', `stopped waiting for the acknowledgement of ${pending.subject}`, { subject: pending.subject }));
    }
  }

  private sendQueued(): void {
    const queue = this.queue;
    this.queue = [];
    this.scheduled = false;
    for (const { token, subject, data, headers } of queue) {
      try {
        this.nc.publish(subject, data, { reply: this.inbox + token, headers });
      } catch (err) {
        const pending = this.pending.get(token);
        this.pending.delete(token);
        pending?.reject(fromNatsError(err, subject));
      }
    }
  }

  private settle(replySubject: string, data: Uint8Array, headers: MsgHdrs | undefined): void {
    const token = replySubject.slice(this.inbox.length);
    const pending = this.pending.get(token);
    if (!pending) return; // timed out already
    this.pending.delete(token);
    if (headers?.code === NO_RESPONDERS) {
      pending.reject(new AppError('UNAVAILABLE', `no stream captures ${pending.subject}`, { subject: pending.subject }));
      return;
    }
    let ack: PubAckReply;
    try {
      ack = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as PubAckReply;
    } catch {
      pending.reject(new AppError('UNAVAILABLE', `unreadable acknowledgement for ${pending.subject}`, { subject: pending.subject }));
      return;
    }
    if (ack.error || typeof ack.stream !== 'string' || typeof ack.seq !== 'number') {
      const reason = ack.error?.description ?? 'no stream in the acknowledgement';
      pending.reject(new AppError('UNAVAILABLE', `JetStream refused ${pending.subject}: ${reason}`, { subject: pending.subject, code: ack.error?.code }));
      return;
    }
    pending.resolve({ stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate === true });
  }

  /** Entries are in publish order and share one timeout, so the expired ones are at the front. */
  private expire(): void {
    const now = Date.now();
    for (const [token, pending] of this.pending) {
      if (pending.deadline > now) return;
      this.pending.delete(token);
      pending.reject(new AppError('TIMEOUT', `no acknowledgement for ${pending.subject} within ${this.timeoutMs} ms`, { subject: pending.subject, timeoutMs: this.timeoutMs }));
    }
  }
}
