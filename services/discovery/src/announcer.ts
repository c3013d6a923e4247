import { INTEGRATION_EVENTS, type DiscoveredModule } from '@autoweave/contracts';

/**
 * Publishes `integration.module.discovered`, once per change: a module identical to the last one
 * announced for the same (name, source) — same contentHash, present and error — is skipped, so
 * periodic scans that see the same thing publish nothing.
 */
export class Announcer {
  private readonly last = new Map<string, string>();

  constructor(private readonly publish: (subject: string, data: unknown) => void) {}

  /** Returns true when the module was published, false when it was a repeat. */
  announce(module: DiscoveredModule): boolean {
    const key = `${module.source}\u0000${module.name}`;
    const fingerprint = JSON.stringify([module.contentHash, module.present, module.error ?? null]);
    if (this.last.get(key) === fingerprint) return false;
    this.last.set(key, fingerprint);
    this.publish(INTEGRATION_EVENTS.moduleDiscovered, module);
    return true;
  }

  /** Forget what was announced for (name, source), so the next announcement is published whatever it is. */
  forget(name: string, source: DiscoveredModule['source']): void {
    this.last.delete(`${source}\u0000${name}`);
  }
}
