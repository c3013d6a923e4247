import { AppError, HEADERS, isEnvelope, unwrap, type Envelope } from '@autoweave/contracts';
import { currentCorrelationId, type Logger } from '@autoweave/observability';
import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { decodeJson, encodeJson } from './codec.js';
import { fromNatsError } from './nats-errors.js';

export interface RequestOptions {
  /** Milliseconds to wait for the reply (default 5000). */
  timeout?: number;
  headers?: Record<string, string>;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;

/** Outgoing headers: the caller's plus the current correlation id. */
export function outgoingHeaders(extra?: Record<string, string>): MsgHdrs {
  const h = natsHeaders();
  const correlationId = currentCorrelationId();
  if (correlationId) h.set(HEADERS.correlationId, correlationId);
  for (const [k, v] of Object.entries(extra ?? {})) h.set(k, v);
  return h;
}

/**
 * Typed request/reply and publishing over one NATS connection. Every request
 * resolves to an envelope: a missing service is UNAVAILABLE, a missing reply
 * is TIMEOUT, and a reply that is not an envelope is INTERNAL. It never throws.
 */
export class Bus {
  constructor(
    readonly nc: NatsConnection,
    private readonly logger: Logger,
  ) {}

  async request<T>(subject: string, payload: unknown, options: RequestOptions = {}): Promise<Envelope<T>> {
    const timeout = options.timeout ?? DEFAULT_REQUEST_TIMEOUT_MS;
    try {
      const reply = await this.nc.request(subject, encodeJson(payload), {
        timeout,
        headers: outgoingHeaders(options.headers),
      });
      const body = decodeJson(reply.data, Number.MAX_SAFE_INTEGER);
      if (isEnvelope(body)) return body as Envelope<T>;
      this.logger.error({ subject }, 'reply is not an envelope');
      return { ok: false, error: { code: 'INTERNAL', message: `malformed reply on ${subject}` } };
    } catch (err) {
      return { ok: false, error: fromNatsError(err, subject, timeout).toBody() };
    }
  }

  /** Like request, but returns the data or throws the error as an AppError. */
  async call<T>(subject: string, payload: unknown, options: RequestOptions = {}): Promise<T> {
    return unwrap(await this.request<T>(subject, payload, options));
  }

  /**
   * Fire-and-forget on core NATS (not persisted). With `headers: false` no
   * headers (not even the correlation id) are sent: for high-rate events that
   * carry what they need in their payload.
   */
  publish(subject: string, data: unknown, extraHeaders?: Record<string, string> | false): void {
    try {
      if (extraHeaders === false) this.nc.publish(subject, encodeJson(data));
      else this.nc.publish(subject, encodeJson(data), { headers: outgoingHeaders(extraHeaders) });
    } catch (err) {
      throw fromNatsError(err, subject);
    }
  }

  /** Resolves when the server has processed everything sent so far. */
  async flush(): Promise<void> {
    await this.nc.flush();
  }

  isConnected(): boolean {
    return !this.nc.isClosed() && !this.nc.isDraining();
  }

  /** A round trip to the server; the readiness check. */
  async ping(): Promise<boolean> {
    if (!this.isConnected()) return false;
    await this.nc.rtt();
    return true;
  }

  /**
   * Finishes in-flight work: subscriptions drain, pending publishes flush, then
   * the connection closes. Draining needs the server: when it is unreachable
   * nats.js rejects and would leave the client reconnecting forever (keeping
   * the process alive), so the connection is closed instead and what was
   * pending is dropped.
   */
  /**
   * Drains (subscriptions deliver what they hold, publishes are flushed),
   * then closes. A drain can wait on a subscription nobody reads any more,
   * so after `timeoutMs` the connection is closed instead.
   */
  async drain(timeoutMs = DRAIN_TIMEOUT_MS): Promise<void> {
    if (this.nc.isClosed() || this.nc.isDraining()) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      const drained = await Promise.race([
        this.nc.drain().then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
      ]);
      if (!drained) {
        this.logger.warn({ timeoutMs }, 'NATS drain did not finish in time; closing the connection');
        await this.nc.close();
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not drain NATS (server unreachable); closing the connection');
      await this.nc.close();
    } finally {
      clearTimeout(timer);
    }
  }
}

/** How long a drain may take before the connection is closed instead. */
const DRAIN_TIMEOUT_MS = 5000;

export function toAppErrorFromEnvelope(envelope: Envelope<unknown>): AppError | undefined {
  return envelope.ok ? undefined : AppError.fromBody(envelope.error);
}
