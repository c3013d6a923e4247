import type { DiscoveredModule, DiscoverySource } from '@autoweave/contracts';
import type { ServiceRuntime } from '@autoweave/service-kit';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DiscoveryChannel } from '../channel.js';
import { fetchSpec, specFromText, type FetchedSpec } from '../services/spec-source.js';
import { infoOf, pingAll, type MicroServiceInfo } from './micro-client.js';

export interface NatsMicroChannelOptions {
  nc: NatsConnection;
  logger: ServiceRuntime['logger'];
  /** How long `$SRV.PING` collects answers. */
  waitMs: number;
  /** Timeout of a spec fetch (URL) or spec request (subject). */
  specTimeoutMs: number;
}

/**
 * Channel 2 (`nats-micro`): services built with the NATS services framework. Each scan sends
 * `$SRV.PING` and keeps the instances whose metadata has `integratable: "true"`; their spec comes
 * from metadata `openapi`: an http(s) URL to fetch, or a NATS subject that answers with the document.
 * All instances of one service name are one module (sourceRef `<name>/<id>` of the first instance);
 * a name whose instances no longer answer is announced gone.
 */
export class NatsMicroChannel implements DiscoveryChannel {
  readonly source: DiscoverySource = 'nats-micro';
  private readonly seen = new Map<string, DiscoveredModule>();

  constructor(private readonly options: NatsMicroChannelOptions) {}

  async scan(): Promise<DiscoveredModule[]> {
    const { nc, waitMs } = this.options;
    const pings = await pingAll(nc, waitMs);
    const byName = new Map<string, MicroServiceInfo[]>();
    for (const p of pings) {
      let meta = p.metadata;
      if (meta === undefined) meta = (await infoOf(nc, p.name, p.id, this.options.specTimeoutMs))?.metadata ?? undefined;
      if (!meta || String(meta.integratable).toLowerCase() !== 'true') continue;
      const list = byName.get(p.name) ?? [];
      list.push({ ...p, metadata: meta });
      byName.set(p.name, list);
    }
    const found: DiscoveredModule[] = [];
    await Promise.all(
      [...byName].map(async ([name, instances]) => {
        instances.sort((a, b) => a.id.localeCompare(b.id));
        const module = await this.discover(name, instances);
        this.seen.set(name, module);
        found.push(module);
      }),
    );
    for (const [name, module] of this.seen) {
      if (byName.has(name)) continue;
      this.seen.delete(name);
      const { error: _error, ...rest } = module;
      found.push({ ...rest, config: { baseUrl: (module.config as { baseUrl?: unknown }).baseUrl }, present: false });
    }
    return found;
  }

  private async discover(name: string, instances: MicroServiceInfo[]): Promise<DiscoveredModule> {
    const first = instances[0]!;
    const meta = first.metadata ?? {};
    const openapi = meta.openapi;
    const baseUrl = meta.url ?? meta.base_url ?? (openapi && /^https?:\/\//i.test(openapi) ? new URL(openapi).origin : undefined);
    const base: DiscoveredModule = {
      name,
      source: 'nats-micro',
      sourceRef: `${name}/${first.id}`,
      type: 'openapi',
      config: baseUrl === undefined ? {} : { baseUrl },
      contentHash: '',
      present: true,
      metadata: {
        service: { name, ...(first.version === undefined ? {} : { version: first.version }) },
        instances: instances.map((i) => i.id),
        microMetadata: meta,
      },
    };
    try {
      if (!openapi) throw new Error('metadata "openapi" (a URL or a subject answering with the document) is missing');
      const spec: FetchedSpec = /^https?:\/\//i.test(openapi)
        ? await fetchSpec(openapi, this.options.specTimeoutMs)
        : await specFromText(
            (await this.options.nc.request(openapi, '', { timeout: this.options.specTimeoutMs })).string(),
            `nats:${openapi}`,
            this.options.specTimeoutMs,
          );
      return { ...base, config: { ...base.config, openAPISpec: spec.document }, contentHash: spec.contentHash };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.options.logger.warn({ service: name, err: message }, 'could not read the OpenAPI document of a NATS micro service');
      return { ...base, error: message };
    }
  }
}
