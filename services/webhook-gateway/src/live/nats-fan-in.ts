import type { LiveTopicFamily } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { redactEvent } from './event-redaction.js';
import { eventFrame } from './protocol.js';
import type { SubscriptionRegistry } from './subscription-registry.js';
import { TOPIC_FAMILIES } from './topic-families.js';

/** What the fan-in hands a routed event to. */
export interface FrameSink {
  deliver(frame: string): void;
}

const decoder = new TextDecoder();

/**
 * Brings events from NATS to the live clients: one set of NATS subscriptions
 * per topic family, opened when the first client becomes interested in the
 * family and closed when the last one leaves, shared by every client. A
 * message is matched against the family's clients before it is decoded, then
 * decoded and serialized once, whatever the number of recipients.
 */
export class NatsFanIn<C extends FrameSink> {
  private readonly open = new Map<LiveTopicFamily, Subscription[]>();
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly nc: NatsConnection,
    private readonly registry: SubscriptionRegistry<C>,
    private readonly logger: Logger,
    private readonly onRouted: (recipients: number) => void = () => undefined,
  ) {}

  /** The registry's interest listener. */
  readonly interest = (family: LiveTopicFamily, interested: boolean): void => {
    if (interested) this.subscribe(family);
    else this.unsubscribe(family);
  };

  /**
   * Resolves once the NATS server has every subscription made so far (one
   * round trip), so a client told "subscribed" gets the events published
   * after that, not only those after the server caught up.
   */
  settled(): Promise<void> {
    return this.pending;
  }

  /** Families with open NATS subscriptions (for tests and metrics). */
  openFamilies(): LiveTopicFamily[] {
    return [...this.open.keys()];
  }

  close(): void {
    for (const family of [...this.open.keys()]) this.unsubscribe(family);
  }

  private subscribe(family: LiveTopicFamily): void {
    if (this.open.has(family) || this.nc.isClosed() || this.nc.isDraining()) return;
    const spec = TOPIC_FAMILIES.find((f) => f.name === family)!;
    const subs = spec.subjects.map((subject) => this.nc.subscribe(subject, { callback: (err, msg) => (err ? this.failed(family, err) : this.route(family, msg)) }));
    this.open.set(family, subs);
    this.pending = this.nc.flush().catch((err: unknown) => {
      this.logger.warn({ family, err: err instanceof Error ? err.message : String(err) }, 'live events: NATS did not confirm a subscription');
    });
    this.logger.debug({ family }, 'live events: subscribed to a topic family');
  }

  private unsubscribe(family: LiveTopicFamily): void {
    const subs = this.open.get(family);
    if (!subs) return;
    this.open.delete(family);
    for (const sub of subs) {
      try {
        sub.unsubscribe();
      } catch {
        // The connection is closing: its subscriptions end with it.
      }
    }
    this.logger.debug({ family }, 'live events: left a topic family');
  }

  private route(family: LiveTopicFamily, msg: Msg): void {
    const recipients = this.registry.recipients(family, msg.subject);
    if (recipients.length === 0) return;
    const frame = eventFrame(msg.subject, redactEvent(msg.subject, decode(msg.data)), new Date().toISOString());
    for (const client of recipients) client.deliver(frame);
    this.onRouted(recipients.length);
  }

  private failed(family: LiveTopicFamily, err: Error): void {
    this.logger.warn({ family, err: err.message }, 'live events: NATS subscription failed');
    this.open.delete(family);
  }
}

/** JSON payloads as values; anything else (not ours, but possible on events.>) as text. */
function decode(data: Uint8Array): unknown {
  if (data.length === 0) return null;
  const text = decoder.decode(data);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
