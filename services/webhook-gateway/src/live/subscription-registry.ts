import { subjectMatches, type LiveTopicFamily } from '@autoweave/contracts';
import type { Scope } from '../auth/scopes.js';
import { familiesOverlapping, TOPIC_FAMILIES, visibleTo } from './topic-families.js';

/** Called when a family gains its first interested client (true) or loses its last (false). */
export type InterestListener = (family: LiveTopicFamily, interested: boolean) => void;

/**
 * Who wants which events: per topic family, the clients whose patterns can
 * match it (only families their scopes allow), with those patterns. Routing
 * a message looks at the clients of one family only, so a burst of call
 * events costs nothing for clients that watch pipelines.
 */
export class SubscriptionRegistry<C> {
  private readonly byFamily = new Map<LiveTopicFamily, Map<C, string[]>>();

  constructor(private readonly onInterest: InterestListener = () => undefined) {
    for (const family of TOPIC_FAMILIES) this.byFamily.set(family.name, new Map());
  }

  /** Replaces the client's patterns. Returns the families they reach within its scopes. */
  set(client: C, patterns: readonly string[], scopes: readonly Scope[]): LiveTopicFamily[] {
    const reached = new Map<LiveTopicFamily, string[]>();
    for (const pattern of patterns) {
      for (const family of familiesOverlapping(pattern)) {
        if (!visibleTo(family, scopes)) continue;
        const list = reached.get(family.name) ?? [];
        list.push(pattern);
        reached.set(family.name, list);
      }
    }
    for (const [name, clients] of this.byFamily) {
      const wanted = reached.get(name);
      if (wanted) this.add(name, clients, client, wanted);
      else this.delete(name, clients, client);
    }
    return [...reached.keys()];
  }

  remove(client: C): void {
    for (const [name, clients] of this.byFamily) this.delete(name, clients, client);
  }

  /** Clients of `family` with a pattern matching `subject`. */
  recipients(family: LiveTopicFamily, subject: string): C[] {
    const out: C[] = [];
    for (const [client, patterns] of this.byFamily.get(family) ?? []) {
      if (patterns.some((pattern) => subjectMatches(pattern, subject))) out.push(client);
    }
    return out;
  }

  /** Whether any client wants events of the family (the fan-in holds its NATS subscriptions while so). */
  interested(family: LiveTopicFamily): boolean {
    return (this.byFamily.get(family)?.size ?? 0) > 0;
  }

  private add(name: LiveTopicFamily, clients: Map<C, string[]>, client: C, patterns: string[]): void {
    const first = clients.size === 0;
    clients.set(client, patterns);
    if (first) this.onInterest(name, true);
  }

  private delete(name: LiveTopicFamily, clients: Map<C, string[]>, client: C): void {
    if (clients.delete(client) && clients.size === 0) this.onInterest(name, false);
  }
}
