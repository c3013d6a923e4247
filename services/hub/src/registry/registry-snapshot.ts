import { INTEGRATION_RECORD_PREFIX, type IntegrationRecord, type StoredIntegration } from '@autoweave/contracts';
import { KvSnapshot, type KV } from '@autoweave/messaging';

/**
 * This replica's view of the integrations bucket. The hot path
 * (`integration.request.execute`) reads from here instead of asking the KV
 * store on every call.
 */
export class RegistrySnapshot extends KvSnapshot<StoredIntegration> {
  constructor(kv: KV) {
    super(kv, INTEGRATION_RECORD_PREFIX, (value, revision) => ({ record: value as IntegrationRecord, revision }));
  }
}
