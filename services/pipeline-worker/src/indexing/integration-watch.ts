import { INTEGRATION_RECORD_PREFIX, integrationType, type IntegrationRecord, type StoredIntegration } from '@autoweave/contracts';
import { KvSnapshot, type KV } from '@autoweave/messaging';
import { mapSecrets, type SecretBox } from '@autoweave/security';

/**
 * This replica's read-only view of the `integrations` bucket (only the hub
 * writes it), kept current by a KV watch. The watch replays every record at
 * start, so listeners registered before `start()` see the current state as
 * changes too: indexing and sync are driven from it rather than from the
 * integration events, which are core NATS and lost while the worker is down.
 */
export class IntegrationWatch {
  private readonly snapshot: KvSnapshot<StoredIntegration>;

  constructor(
    kv: KV,
    private readonly box: SecretBox,
  ) {
    this.snapshot = new KvSnapshot<StoredIntegration>(kv, INTEGRATION_RECORD_PREFIX, (value, revision) => ({ record: value as IntegrationRecord, revision }));
  }

  /** Resolves once the current records are loaded (and their changes delivered to the listeners). */
  start(): Promise<void> {
    return this.snapshot.start();
  }

  stop(): void {
    this.snapshot.stop();
  }

  get(id: string): StoredIntegration | undefined {
    return this.snapshot.get(id);
  }

  all(): StoredIntegration[] {
    return this.snapshot.all();
  }

  onChange(listener: (id: string, stored: StoredIntegration | undefined) => void): () => void {
    return this.snapshot.onChange(listener);
  }

  /** The record's config with its secret fields opened (never for replies, logs or events). */
  reveal(record: IntegrationRecord): Record<string, unknown> {
    const spec = integrationType(record.type);
    if (!spec) return record.config;
    return mapSecrets(record.config, spec.secretFields, (value) => (this.box.isSealed(value) ? (JSON.parse(this.box.open(value)) as unknown) : value));
  }
}
