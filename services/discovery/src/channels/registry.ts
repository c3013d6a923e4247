import type { DiscoverySource } from '@autoweave/contracts';
import type { DiscoveryChannel } from './channel.js';

/**
 * The channels discovery runs. Channels register by source; only sources enabled in config
 * (AUTOWEAVE_DISCOVERY_CHANNELS) are returned by `enabled()`. Registering a channel of a disabled
 * source is allowed (and ignored), so wiring code need not check config.
 */
export class ChannelRegistry {
  private readonly channels: DiscoveryChannel[] = [];

  constructor(private readonly enabledSources: readonly DiscoverySource[]) {}

  register(channel: DiscoveryChannel): this {
    this.channels.push(channel);
    return this;
  }

  isEnabled(source: DiscoverySource): boolean {
    return this.enabledSources.includes(source);
  }

  /** Enabled channels, optionally limited to `sources`. */
  enabled(sources?: readonly DiscoverySource[]): DiscoveryChannel[] {
    return this.channels.filter((c) => this.isEnabled(c.source) && (!sources || sources.length === 0 || sources.includes(c.source)));
  }

  all(): readonly DiscoveryChannel[] {
    return this.channels;
  }
}
