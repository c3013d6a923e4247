import type { DiscoveredModule, DiscoverySource } from '@autoweave/contracts';

/** Called by a channel that notices changes by itself (watchers, subscriptions) between scans. */
export type Announce = (module: DiscoveredModule) => void;

/**
 * One way discovery finds modules. A channel is registered in the ChannelRegistry under its
 * `source`; it runs only if that source is enabled in config (AUTOWEAVE_DISCOVERY_CHANNELS).
 *
 * - `scan()` returns EVERYTHING the channel currently sees (present: true), plus `present: false`
 *   entries for things it saw before and no longer sees. It is called by the periodic timer and by
 *   `discovery.scan`. The announcer deduplicates: returning the same module every scan is fine.
 * - `start(announce)` (optional) is called once at startup: start watchers/subscriptions and call
 *   `announce` for changes noticed between scans.
 * - `stop()` (optional) is called on shutdown: close watchers, timers, subscriptions.
 *
 * Several channels may share a `source` only if they never produce the same module name.
 */
export interface DiscoveryChannel {
  source: DiscoverySource;
  scan(): Promise<DiscoveredModule[]>;
  start?(announce: Announce): Promise<void> | void;
  stop?(): Promise<void> | void;
}
