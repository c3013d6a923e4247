import type { DiscoverySource } from '@autoweave/contracts';
import type { KV } from '@nats-io/kv';

/** A registered service as kept in the `services` bucket. */
export interface ServiceRecord {
  name: string;
  version?: string;
  url: string;
  metadata?: Record<string, unknown>;
  /** ms since epoch of the last registration (a re-registration is a heartbeat). */
  lastSeen: number;
  /** How its spec was last found ('service': openAPIEndpoint, 'openapi-probe': probed). */
  source?: DiscoverySource;
}

/** KV keys allow only [-/=.\w]; names may hold spaces, so the key is the base64url of the name. */
export function serviceKey(name: string): string {
  return `s.${Buffer.from(name, 'utf8').toString('base64url')}`;
}

/** The `services` bucket: name -> ServiceRecord. */
export class ServiceStore {
  constructor(private readonly kv: KV) {}

  async put(record: ServiceRecord): Promise<void> {
    await this.kv.put(serviceKey(record.name), JSON.stringify(record));
  }

  async get(name: string): Promise<ServiceRecord | undefined> {
    const entry = await this.kv.get(serviceKey(name));
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
    return entry.json<ServiceRecord>();
  }

  async delete(name: string): Promise<void> {
    await this.kv.delete(serviceKey(name));
  }

  async list(): Promise<ServiceRecord[]> {
    const keys: string[] = [];
    for await (const key of await this.kv.keys()) keys.push(key);
    const records: ServiceRecord[] = [];
    for (const key of keys) {
      const entry = await this.kv.get(key);
      if (entry && entry.operation === 'PUT' && entry.length > 0) records.push(entry.json<ServiceRecord>());
    }
    return records;
  }
}
