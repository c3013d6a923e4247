import { randomUUID } from 'node:crypto';
import { INTEGRATION_RECORD_PREFIX, integrationType, type IntegrationRecord, type IntegrationStatus } from '@autoweave/contracts';
import { sealSecretFields, type SecretBox } from '@autoweave/security';

/** The part of a KV bucket the writer needs (a @nats-io/kv KV). */
interface RecordBucket {
  put(key: string, value: string): Promise<unknown>;
  delete(key: string): Promise<unknown>;
}

export interface RecordInput {
  id?: string;
  name?: string;
  type: string;
  status?: IntegrationStatus;
  description?: string;
  config: object;
}

/**
 * Writes an integration into the `integrations` bucket in the hub's stored
 * format (secret fields sealed), so a service's tests need no hub. The
 * full-system tests in test/ register through the real hub instead.
 */
export async function putIntegrationRecord(kv: RecordBucket, box: SecretBox, input: RecordInput): Promise<IntegrationRecord> {
  const spec = integrationType(input.type);
  if (!spec) throw new Error(`unknown integration type ${input.type}`);
  const now = new Date().toISOString();
  const id = input.id ?? randomUUID();
  const record: IntegrationRecord = {
    id,
    name: input.name ?? `${input.type}-${id.slice(0, 8)}`,
    type: input.type,
    ...(input.description === undefined ? {} : { description: input.description }),
    status: input.status ?? 'active',
    health: 'unknown',
    config: sealSecretFields(input.config as Record<string, unknown>, spec.secretFields, box),
    tags: [],
    metadata: {},
    createdAt: now,
    updatedAt: now,
  };
  await kv.put(INTEGRATION_RECORD_PREFIX + id, JSON.stringify(record));
  return record;
}

export async function deleteIntegrationRecord(kv: RecordBucket, id: string): Promise<void> {
  await kv.delete(INTEGRATION_RECORD_PREFIX + id);
}
