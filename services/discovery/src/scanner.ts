import type { DiscoveredModule, DiscoveryScanResult, DiscoverySource } from '@autoweave/contracts';
import type { ServiceRuntime } from '@autoweave/service-kit';
import type { Announcer } from './announcer.js';
import type { ChannelRegistry } from './channels/registry.js';

/**
 * Runs the enabled channels: `start` once (watchers), `scan` every interval (an unref'd timer)
 * and on `discovery.scan`; everything found goes through the announcer (which drops repeats).
 */
export class Scanner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly channels: ChannelRegistry,
    private readonly announcer: Announcer,
    private readonly logger: ServiceRuntime['logger'],
    private readonly intervalMs: number,
  ) {}

  async start(): Promise<void> {
    const announce = (m: DiscoveredModule): void => void this.announcer.announce(m);
    for (const channel of this.channels.enabled()) await channel.start?.(announce);
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
    for (const channel of this.channels.all()) {
      try {
        await channel.stop?.();
      } catch (err) {
        this.logger.warn({ channel: channel.source, err: (err as Error).message }, 'channel did not stop cleanly');
      }
    }
  }

  /** Scans the enabled channels (all, or those of `sources`) now and announces what changed. */
  async scan(sources?: readonly DiscoverySource[]): Promise<DiscoveryScanResult> {
    const started = Date.now();
    const selected = this.channels.enabled(sources);
    const results = await Promise.all(
      selected.map(async (channel) => {
        try {
          return await channel.scan();
        } catch (err) {
          this.logger.warn({ channel: channel.source, err: (err as Error).message }, 'discovery channel scan failed');
          return [];
        }
      }),
    );
    const found: DiscoveryScanResult['found'] = [];
    for (const modules of results) {
      for (const m of modules) {
        this.announcer.announce(m);
        found.push({
          name: m.name,
          source: m.source,
          sourceRef: m.sourceRef,
          type: m.type,
          present: m.present,
          ...(m.error === undefined ? {} : { error: m.error }),
        });
      }
    }
    return { found, durationMs: Date.now() - started };
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const run = this.scan().catch((err: unknown) => this.logger.warn({ err: String(err) }, 'periodic scan failed'));
      this.running = run;
      void run.finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }
}
