import { fail, ok, HEADERS, type Envelope } from '@autoweave/contracts';
import { decodeJson, encodeJson, type Bus, type Msg, type Subscription } from '@autoweave/messaging';
import { busMetrics, runWithCorrelation, type Logger, type Registry } from '@autoweave/observability';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { BusContext } from './bus-context.js';
import type { DirectHandler } from './runtime.js';

export interface EnvelopeServerOptions {
  bus: Bus;
  /** Handlers registered with runtime.handleDirect, subscribed beside Nest's. */
  directHandlers?: ReadonlyMap<string, DirectHandler>;
  /** Queue group shared by the replicas of this service. */
  queue: string;
  logger: Logger;
  registry: Registry;
  maxMessageBytes: number;
}

/** `@EventPattern(subject, { broadcast: true })`: every replica receives the event, not one of them. */
export interface HandlerExtras {
  broadcast?: boolean;
}

/**
 * A NestJS transport that speaks AutoWeave's wire format: a request is plain
 * JSON (what `nats req` sends), a reply is an envelope `{ok, data}` or
 * `{ok: false, error}`. Nest's own NATS transport wraps payloads in
 * `{pattern, data, id}` packets, which a plain NATS client cannot speak; see
 * docs/ARCHITECTURE.md. Handlers are subscribed in a queue group so replicas
 * share the work, every failure becomes an error envelope, and close() waits
 * for messages already being handled.
 */
export class EnvelopeServer extends Server implements CustomTransportStrategy {
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** Replies waiting for the end of this I/O phase: message, encoded reply, message, encoded reply, ... */
  private outbox: Array<Msg | Uint8Array> = [];
  private readonly metrics;

  constructor(private readonly options: EnvelopeServerOptions) {
    super();
    this.metrics = busMetrics(options.registry);
  }

  listen(callback: (...optionalParams: unknown[]) => unknown): void {
    for (const [subject, handler] of this.messageHandlers) {
      const extras = (handler.extras ?? {}) as HandlerExtras;
      const queue = handler.isEventHandler && extras.broadcast ? undefined : this.options.queue;
      this.subscribe(subject, queue, (msg) => this.handle(subject, msg, () => this.produce(handler, msg)));
    }
    for (const [subject, handler] of this.options.directHandlers ?? []) {
      this.subscribe(subject, this.options.queue, (msg) => this.handle(subject, msg, () => this.produceDirect(handler, msg)));
    }
    const subjects = [...this.messageHandlers.keys(), ...(this.options.directHandlers?.keys() ?? [])];
    this.options.logger.info({ subjects, queue: this.options.queue }, 'listening on NATS');
    // Started means the server has the subscriptions: a request right after start must find a responder.
    this.options.bus.nc.flush().then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  /** Stops taking messages, then waits for the ones in hand. The connection itself is drained by the owner. */
  async close(): Promise<void> {
    await Promise.all(this.subscriptions.map((s) => s.drain().catch(() => undefined)));
    this.subscriptions.length = 0;
    await Promise.allSettled([...this.inFlight]);
    this.sendReplies(); // before the owner drains the connection
  }

  on(): never {
    throw new Error('EnvelopeServer does not emit events; use the Bus for connection status');
  }

  unwrap<T>(): T {
    return this.options.bus.nc as T;
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private subscribe(subject: string, queue: string | undefined, onMessage: (msg: Msg) => Promise<void>): void {
    const sub = this.options.bus.nc.subscribe(subject, {
      queue,
      callback: (err, msg) => {
        if (err) return this.options.logger.error({ subject, err: err.message }, 'subscription error');
        this.track(onMessage(msg));
      },
    });
    this.subscriptions.push(sub);
  }

  private handle(pattern: string, msg: Msg, produce: () => Promise<Envelope<unknown>>): Promise<void> {
    return runWithCorrelation(msg.headers?.get(HEADERS.correlationId), async () => {
      const stopTimer = this.metrics.duration.startTimer({ subject: pattern });
      const reply = await produce();
      const seconds = stopTimer();
      const outcome = reply.ok ? 'ok' : reply.error.code;
      this.metrics.handled.inc({ subject: pattern, outcome });
      this.options.logger.debug({ subject: msg.subject, outcome, ms: Math.round(seconds * 1000) }, 'handled');
      if (!msg.reply) return;
      try {
        this.replySoon(msg, encodeJson(reply));
      } catch (err) {
        this.options.logger.error({ subject: msg.subject, err: (err as Error).message }, 'could not send reply');
      }
    });
  }

  /**
   * Replies leave together at the end of the current I/O phase (setImmediate).
   * nats.js writes to the socket once per microtask turn that published, so a
   * reply sent as soon as it is ready costs one socket write each; under load
   * the replies finished in one phase now share a write (docs/PERFORMANCE.md,
   * "Execute"). The delay is that of one event-loop phase.
   */
  private replySoon(msg: Msg, data: Uint8Array): void {
    this.outbox.push(msg, data);
    if (this.outbox.length === 2) setImmediate(this.sendReplies);
  }

  private readonly sendReplies = (): void => {
    const outbox = this.outbox;
    this.outbox = [];
    for (let i = 0; i < outbox.length; i += 2) {
      const msg = outbox[i] as Msg;
      try {
        msg.respond(outbox[i + 1] as Uint8Array);
      } catch (err) {
        this.options.logger.error({ subject: msg.subject, err: (err as Error).message }, 'could not send reply');
      }
    }
  };

  private produce(handler: MessageHandler, msg: Msg): Promise<Envelope<unknown>> {
    return this.guarded(msg, async (payload) => {
      const context = new BusContext([msg.subject, msg.headers]);
      const result$ = this.transformToObservable(await handler(payload, context));
      return lastValueFrom(result$, { defaultValue: null });
    });
  }

  private produceDirect(handler: DirectHandler, msg: Msg): Promise<Envelope<unknown>> {
    return this.guarded(msg, handler);
  }

  /** Decodes the body, runs `run`, and turns whatever happens into an envelope. */
  private async guarded(msg: Msg, run: (payload: unknown) => Promise<unknown>): Promise<Envelope<unknown>> {
    try {
      return ok((await run(decodeJson(msg.data, this.options.maxMessageBytes))) ?? null);
    } catch (err) {
      const envelope = fail(err);
      if (envelope.error.code === 'INTERNAL') {
        this.options.logger.error({ subject: msg.subject, err: describeError(err) }, 'handler failed');
      }
      return envelope;
    }
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? err.message;
  return typeof err === 'object' ? JSON.stringify(err) : String(err);
}
