import { watch, type FSWatcher } from 'node:fs';
import type { DiscoveredModule, DiscoverySource } from '@autoweave/contracts';
import type { Announce, DiscoveryChannel } from '../channel.js';
import type { FilesLogger } from './manifest.js';

export interface FileStateOptions {
  logger?: FilesLogger;
  /** Quiet time after a file system event before the folders are read again. Default 200 ms. */
  debounceMs?: number;
  /** While started, re-read the folders this often and announce changes (a backstop for missed events). 0 = off. */
  rescanIntervalMs?: number;
}

/** What one read of the file system found. */
export interface Snapshot {
  modules: DiscoveredModule[];
  /** Folders to watch for changes. */
  watchDirs: string[];
}

interface Diff {
  current: Map<string, DiscoveredModule>;
  changed: DiscoveredModule[];
  removed: Array<[string, DiscoveredModule]>;
}

export function moduleKey(m: Pick<DiscoveredModule, 'source' | 'name'>): string {
  return `${m.source}\u0000${m.name.trim().toLowerCase()}`;
}

/**
 * A channel whose state is a set of files: `collect()` reads them all; this class diffs against
 * what was seen before (by module name + source, as the hub identifies modules), watches the
 * folders (fs.watch per folder, debounced, errors tolerated) and announces changes while started.
 * Reads are serialized, so scan() and watch-triggered refreshes never interleave.
 */
export abstract class FileStateChannel implements DiscoveryChannel {
  abstract readonly source: DiscoverySource;

  protected readonly logger?: FilesLogger;
  private readonly debounceMs: number;
  private readonly rescanIntervalMs: number;
  /** What was last seen, by module key. */
  private known = new Map<string, DiscoveredModule>();
  /** Modules that disappeared since the last scan() (noticed by the watcher): scan() reports them once. */
  private readonly pendingRemovals = new Map<string, DiscoveredModule>();
  private readonly watchers = new Map<string, FSWatcher>();
  private announce?: Announce;
  private debounceTimer?: NodeJS.Timeout;
  private rescanTimer?: NodeJS.Timeout;
  private queue: Promise<unknown> = Promise.resolve();

  protected constructor(options: FileStateOptions) {
    this.logger = options.logger;
    this.debounceMs = options.debounceMs ?? 200;
    this.rescanIntervalMs = options.rescanIntervalMs ?? 0;
  }

  /** Reads the whole state from the file system. Must not throw for bad files (they become `error` modules). */
  protected abstract collect(): Promise<Snapshot>;

  /** The name a source reference (file, folder) had when last seen: keeps a broken file under its old name. */
  protected lastNameOf(sourceRef: string): string | undefined {
    for (const m of this.known.values()) if (m.sourceRef === sourceRef) return m.name;
    return undefined;
  }

  async scan(): Promise<DiscoveredModule[]> {
    return this.serialize(async () => {
      const { current, removed } = await this.refresh();
      const removals = new Map(this.pendingRemovals);
      this.pendingRemovals.clear();
      for (const [key, m] of removed) removals.set(key, m);
      for (const key of current.keys()) removals.delete(key);
      return [...removals.values(), ...current.values()];
    });
  }

  async start(announce: Announce): Promise<void> {
    this.announce = announce;
    await this.serialize(async () => {
      const { changed, removed } = await this.refresh();
      this.publish(changed, removed);
    });
    if (this.rescanIntervalMs > 0) {
      this.rescanTimer = setInterval(() => this.refreshAndAnnounce(), this.rescanIntervalMs);
      this.rescanTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.announce = undefined;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    this.debounceTimer = undefined;
    this.rescanTimer = undefined;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    await this.queue;
  }

  private async refresh(): Promise<Diff> {
    const snapshot = await this.collect();
    const current = new Map<string, DiscoveredModule>();
    for (const m of snapshot.modules) {
      const key = moduleKey(m);
      const first = current.get(key);
      if (first) {
        this.logger?.warn(`${m.sourceRef}: module "${m.name}" (${m.source}) is already declared by ${first.sourceRef}; ignored`);
        continue;
      }
      current.set(key, m);
    }
    const changed: DiscoveredModule[] = [];
    for (const [key, m] of current) {
      const prev = this.known.get(key);
      if (!prev || prev.contentHash !== m.contentHash || prev.error !== m.error || prev.sourceRef !== m.sourceRef) changed.push(m);
    }
    const removed: Array<[string, DiscoveredModule]> = [];
    for (const [key, m] of this.known) {
      if (current.has(key)) continue;
      const { error: _error, ...rest } = m;
      removed.push([key, { ...rest, present: false }]);
    }
    this.known = current;
    if (this.announce) this.syncWatchers(snapshot.watchDirs);
    return { current, changed, removed };
  }

  private publish(changed: DiscoveredModule[], removed: Array<[string, DiscoveredModule]>): void {
    const announce = this.announce;
    if (!announce) return;
    for (const [key, m] of removed) {
      this.pendingRemovals.set(key, m);
      announce(m);
    }
    for (const m of changed) {
      this.pendingRemovals.delete(moduleKey(m));
      announce(m);
    }
  }

  private refreshAndAnnounce(): void {
    this.serialize(async () => {
      if (!this.announce) return;
      const { changed, removed } = await this.refresh();
      this.publish(changed, removed);
    }).catch((err: Error) => this.logger?.warn(`${this.source} files: rescan failed: ${err.message}`));
  }

  private schedule(): void {
    if (!this.announce) return;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      this.refreshAndAnnounce();
    }, this.debounceMs);
    this.debounceTimer.unref();
  }

  private syncWatchers(dirs: string[]): void {
    const wanted = new Set(dirs);
    for (const [dir, w] of this.watchers) {
      if (!wanted.has(dir)) {
        w.close();
        this.watchers.delete(dir);
      }
    }
    for (const dir of wanted) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, () => this.schedule());
        w.on('error', (err) => {
          this.logger?.debug?.(`watching ${dir} failed: ${err.message}`);
          w.close();
          if (this.watchers.get(dir) === w) this.watchers.delete(dir);
          this.schedule();
        });
        this.watchers.set(dir, w);
      } catch (err) {
        // Gone already, or out of inotify watches: the periodic rescan still covers it.
        this.logger?.debug?.(`cannot watch ${dir}: ${(err as Error).message}`);
      }
    }
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
