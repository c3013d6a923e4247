import type { DiscoveredModule, DiscoverySource, ServiceRegisteredDto } from '@autoweave/contracts';
import { keepAliveFetcher, type KeepAliveFetcher } from '@autoweave/openapi';
import type { ServiceRuntime } from '@autoweave/service-kit';
import type { Announce, DiscoveryChannel } from '../channel.js';
import { SpecError, SpecProber, fetchSpec, joinUrl, type FetchedSpec } from './spec-source.js';
import type { ServiceRecord, ServiceStore } from './service-store.js';

export interface ServiceChannelOptions {
  store: ServiceStore;
  logger: ServiceRuntime["logger"];
  probePaths: readonly string[];
  probeTimeoutMs: number;
  /** Fixed TTL; undefined: 3 x the service's healthCheck.interval, else defaultTtlMs. */
  ttlMs?: number;
  defaultTtlMs: number;
  /** False when the openapi-probe channel is disabled: services without openAPIEndpoint are then not probed. */
  probing: boolean;
  now?: () => number;
}

/**
 * Channel 1 (`service`) and 3 (`openapi-probe`): services that announce themselves with
 * `service.registered` (or POST /api/services/register). Registration stores the service in the
 * `services` bucket and, when `metadata.integratable`, fetches its spec from `url + openAPIEndpoint`
 * or probes the usual paths. A re-registration is a heartbeat. A scan re-reads every registered
 * integratable service (a changed spec is a changed contentHash) and retires services whose last
 * heartbeat is older than their TTL.
 */
export class ServiceRegistrationChannel implements DiscoveryChannel {
  readonly source: DiscoverySource = 'service';
  private announce: Announce = () => undefined;
  private readonly prober: SpecProber;
  /** Specs are read again on every scan, often from hosts that serve several services: connections are kept. */
  private readonly fetcher: KeepAliveFetcher = keepAliveFetcher();
  /** What this replica last found per service name (undefined for a non-integratable service). */
  private readonly known = new Map<string, DiscoveredModule>();
  /** Services announced whose record is still being written (name -> writes in flight). */
  private readonly storing = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: ServiceChannelOptions) {
    this.prober = new SpecProber({ paths: options.probePaths, timeoutMs: options.probeTimeoutMs, fetchText: this.fetcher.fetchText });
    this.now = options.now ?? Date.now;
  }

  start(announce: Announce): void {
    this.announce = announce;
  }

  async stop(): Promise<void> {
    this.prober.close();
    await this.fetcher.close();
  }

  /** `service.registered`: store (heartbeat) and, for an integratable service, fetch its spec and announce. */
  async register(dto: ServiceRegisteredDto): Promise<DiscoveredModule | undefined> {
    const cached = this.known.get(dto.name);
    // Only a service this replica has found can be a heartbeat: for any other the stored record is
    // not needed, which saves a KV read on the way in.
    const previous = cached !== undefined && !cached.error ? await this.options.store.get(dto.name) : undefined;
    const record: ServiceRecord = {
      name: dto.name,
      ...(dto.version === undefined ? {} : { version: dto.version }),
      url: dto.url,
      ...(dto.metadata === undefined ? {} : { metadata: { ...dto.metadata } as Record<string, unknown> }),
      lastSeen: this.now(),
    };
    const heartbeat = previous !== undefined && sameRegistration(previous, record);
    if (heartbeat) {
      await this.options.store.put({ ...record, ...(previous.source ? { source: previous.source } : {}) });
      return cached;
    }
    if (!isIntegratable(record)) {
      await this.options.store.put(record);
      // It was integratable before: what it offered is gone.
      if (cached) this.retire(cached);
      return undefined;
    }
    const module = await this.discover(record);
    if (cached && cached.source !== module.source) this.retire(cached);
    // Announced before the record is written: the hub needs only the announcement, so the write
    // (the bookkeeping heartbeats and scans read) runs while the hub takes the module in.
    this.remember(module);
    this.storing.set(module.name, (this.storing.get(module.name) ?? 0) + 1);
    try {
      await this.options.store.put({ ...record, source: module.source });
    } catch (err) {
      // Not stored: not known either, or a scan would take it for deleted by another replica.
      // The service's next heartbeat stores it.
      if (this.known.get(module.name) === module) this.known.delete(module.name);
      throw err;
    } finally {
      const left = (this.storing.get(module.name) ?? 1) - 1;
      if (left > 0) this.storing.set(module.name, left);
      else this.storing.delete(module.name);
    }
    return module;
  }

  /** `service.deregistered`: forget the service and announce it gone. */
  async deregister(name: string): Promise<DiscoveredModule | undefined> {
    const record = await this.options.store.get(name);
    await this.options.store.delete(name);
    this.prober.forget(name);
    const cached = this.known.get(name);
    this.known.delete(name);
    if (!record && !cached) {
      this.options.logger.debug({ service: name }, 'deregistration of an unknown service ignored');
      return undefined;
    }
    if (record && !isIntegratable(record) && !cached) return undefined;
    const gone = goneModule(cached ?? baseModule(record!, record!.source ?? 'service'));
    this.announce(gone);
    return gone;
  }

  async scan(): Promise<DiscoveredModule[]> {
    const now = this.now();
    const found: DiscoveredModule[] = [];
    // A service registered while the bucket is listed (or while the scan runs), or whose record is
    // still being written, may be missing from the list without having been deleted: only what was
    // known and stored before the listing may be found gone below.
    const settled = new Set([...this.known.keys()].filter((name) => !this.storing.has(name)));
    const records = await this.options.store.list();
    const alive = new Set<string>();
    await Promise.all(
      records.map(async (record) => {
        if (now - record.lastSeen > this.ttlOf(record)) {
          this.options.logger.info({ service: record.name, lastSeen: new Date(record.lastSeen).toISOString() }, 'service missed its heartbeats: gone');
          await this.options.store.delete(record.name);
          this.prober.forget(record.name);
          const cached = this.known.get(record.name);
          this.known.delete(record.name);
          if (cached || isIntegratable(record)) found.push(goneModule(cached ?? baseModule(record, record.source ?? 'service')));
          return;
        }
        alive.add(record.name);
        if (!isIntegratable(record)) return;
        const module = await this.discover(record);
        this.remember(module);
        found.push(module);
      }),
    );
    // Deleted from the bucket by another replica (deregistered or expired there).
    for (const [name, cached] of this.known) {
      if (!alive.has(name) && settled.has(name)) {
        this.known.delete(name);
        found.push(goneModule(cached));
      }
    }
    return found;
  }

  private ttlOf(record: ServiceRecord): number {
    if (this.options.ttlMs !== undefined) return this.options.ttlMs;
    const interval = (record.metadata?.healthCheck as { interval?: unknown } | undefined)?.interval;
    return typeof interval === 'number' && interval > 0 ? 3 * interval : this.options.defaultTtlMs;
  }

  /** Fetches (openAPIEndpoint) or probes the spec; never throws: a failure is a module with `error`. */
  private async discover(record: ServiceRecord): Promise<DiscoveredModule> {
    const endpoint = record.metadata?.openAPIEndpoint;
    const source: DiscoverySource = typeof endpoint === 'string' && endpoint !== '' ? 'service' : 'openapi-probe';
    try {
      let spec: FetchedSpec;
      if (source === 'service') {
        spec = await fetchSpec(joinUrl(record.url, endpoint as string), this.options.probeTimeoutMs, this.fetcher.fetchText);
      } else {
        if (!this.options.probing) throw new SpecError('invalid', 'no openAPIEndpoint given and the openapi-probe channel is disabled', record.url);
        spec = await this.prober.probe(record.name, record.url);
      }
      return {
        ...baseModule(record, source),
        config: { openAPISpec: spec.document, baseUrl: record.url },
        contentHash: spec.contentHash,
        metadata: { ...serviceMeta(record), openAPIUrl: spec.url },
      };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.options.logger.warn({ service: record.name, url: record.url, err: message }, 'could not read the OpenAPI document of a registered service');
      return { ...baseModule(record, source), error: message };
    }
  }

  private remember(module: DiscoveredModule): void {
    this.known.set(module.name, module);
    this.announce(module);
  }

  private retire(module: DiscoveredModule): void {
    this.known.delete(module.name);
    this.announce(goneModule(module));
  }
}

function isIntegratable(record: ServiceRecord): boolean {
  return record.metadata?.integratable === true;
}

function sameRegistration(a: ServiceRecord, b: ServiceRecord): boolean {
  return a.url === b.url && a.version === b.version && JSON.stringify(a.metadata ?? null) === JSON.stringify(b.metadata ?? null);
}

function serviceMeta(record: ServiceRecord): Record<string, unknown> {
  return { service: { name: record.name, ...(record.version === undefined ? {} : { version: record.version }) } };
}

function baseModule(record: ServiceRecord, source: DiscoverySource): DiscoveredModule {
  return {
    name: record.name,
    source,
    sourceRef: record.url,
    type: 'openapi',
    config: { baseUrl: record.url },
    contentHash: '',
    present: true,
    metadata: serviceMeta(record),
  };
}

function goneModule(module: DiscoveredModule): DiscoveredModule {
  const { error: _error, ...rest } = module;
  return { ...rest, config: { baseUrl: (module.config as { baseUrl?: unknown }).baseUrl }, present: false };
}
