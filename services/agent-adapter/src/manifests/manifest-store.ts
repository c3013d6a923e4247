import type { ManifestsResult } from '@autoweave/contracts';
import type { KV } from '@autoweave/messaging';

/** The `manifests` bucket: the last valid manifests generated for each integration. */
export class ManifestStore {
  constructor(private readonly kv: KV) {}

  async put(integrationId: string, result: ManifestsResult): Promise<void> {
    await this.kv.put(integrationId, JSON.stringify(result));
  }

  async get(integrationId: string): Promise<ManifestsResult | undefined> {
    const entry = await this.kv.get(integrationId);
    return entry && entry.operation === 'PUT' && entry.length > 0 ? entry.json<ManifestsResult>() : undefined;
  }

  async delete(integrationId: string): Promise<void> {
    await this.kv.purge(integrationId);
  }
}
