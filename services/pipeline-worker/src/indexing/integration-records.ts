import { AppError, BUCKETS, INTEGRATION_RECORD_PREFIX, type IntegrationRecord } from '@autoweave/contracts';
import type { StorageContext } from '@autoweave/storage';
import { Kvm, type KV } from '@nats-io/kv';

/**
 * Reads integration records straight from the `integrations` bucket (read
 * only; the hub writes it), for pipeline components that run on any replica
 * and are given nothing but a storage context.
 */
export class IntegrationRecords {
  private kv: Promise<KV> | undefined;

  constructor(private readonly context: StorageContext) {}

  async get(id: string): Promise<IntegrationRecord | undefined> {
    const entry = await (await this.bucket()).get(INTEGRATION_RECORD_PREFIX + id);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
    return entry.json<IntegrationRecord>();
  }

  private bucket(): Promise<KV> {
    const bus = this.context.bus;
    if (!bus) return Promise.reject(new AppError('UNAVAILABLE', 'reading integrations needs the bus; this storage context has none'));
    this.kv ??= new Kvm(bus.nc).open(BUCKETS.integrations);
    this.kv.catch(() => (this.kv = undefined));
    return this.kv;
  }
}
