import type { KV } from '@autoweave/messaging';

interface Lease {
  owner: string;
  /** Epoch ms after which the lease is free unless renewed. */
  until: number;
}

/**
 * Who runs which plugin, across hub replicas: one key per plugin integration
 * in the `plugin_leases` bucket, `{owner, until}`. A replica claims a free or
 * expired lease and renews its own with compare-and-set on the KV revision,
 * so two replicas cannot both win one round. A replica that stops renewing
 * (crashed, cut off from NATS) loses the plugin after `leaseMs`; one that
 * shuts down releases its leases at once. Replicas need roughly synchronised
 * clocks (the expiry is wall-clock time).
 */
export class PluginLeases {
  /** Leases this replica wrote, by id: when they run out. Renewing one with most of its time left is skipped. */
  private readonly held = new Map<string, number>();

  constructor(
    private readonly kv: KV,
    private readonly owner: string,
    private readonly leaseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Claims or renews the lease; true when this replica holds it afterwards. */
  async claim(id: string): Promise<boolean> {
    const heldUntil = this.held.get(id);
    if (heldUntil !== undefined && heldUntil - this.now() > (this.leaseMs * 2) / 3) return true;
    const until = this.now() + this.leaseMs;
    const value = JSON.stringify({ owner: this.owner, until } satisfies Lease);
    try {
      const entry = await this.kv.get(id);
      if (!entry || entry.operation !== 'PUT' || entry.length === 0) {
        if (entry) await this.kv.update(id, value, entry.revision);
        else await this.kv.create(id, value);
      } else {
        const lease = parse(entry.string());
        if (lease && lease.owner !== this.owner && lease.until > this.now()) {
          this.held.delete(id);
          return false;
        }
        await this.kv.update(id, value, entry.revision);
      }
      this.held.set(id, until);
      return true;
    } catch {
      this.held.delete(id);
      return false; // another replica wrote first (or the store is unreachable: then nobody renews)
    }
  }

  /** The replica holding the lease now, if any. */
  async holder(id: string): Promise<string | undefined> {
    const entry = await this.kv.get(id).catch(() => undefined);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
    const lease = parse(entry.string());
    return lease && lease.until > this.now() ? lease.owner : undefined;
  }

  /** Gives the lease up if this replica holds it. */
  async release(id: string): Promise<void> {
    this.held.delete(id);
    try {
      const entry = await this.kv.get(id);
      if (!entry || entry.operation !== 'PUT' || entry.length === 0) return;
      if (parse(entry.string())?.owner !== this.owner) return;
      await this.kv.delete(id, { previousSeq: entry.revision });
    } catch {
      // Changed under us: someone else holds it now, nothing to release.
    }
  }
}

function parse(text: string): Lease | undefined {
  try {
    const value = JSON.parse(text) as Partial<Lease>;
    return typeof value.owner === 'string' && typeof value.until === 'number' ? { owner: value.owner, until: value.until } : undefined;
  } catch {
    return undefined;
  }
}
