/*
 * Test support (not part of the build): integration records written into the
 * `integrations` bucket in the hub's stored format (secret fields sealed), so
 * worker tests need no hub. The full-system tests in test/ register through
 * the real hub instead.
 */
import { randomUUID } from 'node:crypto';
import { INTEGRATION_RECORD_PREFIX, integrationType, type IntegrationRecord, type IntegrationStatus } from '@autoweave/contracts';
import type { KV } from '@nats-io/kv';
import { mapSecrets, type SecretBox } from '@autoweave/security';

export interface RecordInput {
  id?: string;
  name?: string;
  type: string;
  status?: IntegrationStatus;
  description?: string;
  config: Record<string, unknown>;
}

export async function putIntegrationRecord(kv: KV, box: SecretBox, input: RecordInput): Promise<IntegrationRecord> {
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
    config: mapSecrets(input.config, spec.secretFields, (value) => box.seal(JSON.stringify(value))),
    tags: [],
    metadata: {},
    createdAt: now,
    updatedAt: now,
  };
  await kv.put(INTEGRATION_RECORD_PREFIX + id, JSON.stringify(record));
  return record;
}

export async function deleteIntegrationRecord(kv: KV, id: string): Promise<void> {
  await kv.delete(INTEGRATION_RECORD_PREFIX + id);
}
