import { randomBytes, randomUUID } from 'node:crypto';
import { INTEGRATION_RECORD_PREFIX, webhookIntegration, type IntegrationRecord, type IntegrationStatus, type WebhookConfigDto } from '@autoweave/contracts';
import type { KV } from '@autoweave/messaging';
import { mapSecrets, SecretBox } from '@autoweave/security';

/** A fresh Standard Webhooks secret, as the hub generates them. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * Writes a webhook integration into the `integrations` bucket in the hub's
 * stored format (secret fields sealed), so gateway tests need no hub. The
 * full-system tests in test/ register through the real hub instead.
 */
export async function putWebhookRecord(
  kv: KV,
  box: SecretBox,
  input: { id?: string; name?: string; status?: IntegrationStatus; config: WebhookConfigDto },
): Promise<IntegrationRecord> {
  const now = new Date().toISOString();
  const id = input.id ?? randomUUID();
  const record: IntegrationRecord = {
    id,
    name: input.name ?? `hook-${id.slice(0, 8)}`,
    type: webhookIntegration.type,
    status: input.status ?? 'active',
    health: 'unknown',
    config: mapSecrets(input.config as unknown as Record<string, unknown>, webhookIntegration.secretFields, (value) => box.seal(JSON.stringify(value))),
    tags: [],
    metadata: {},
    createdAt: now,
    updatedAt: now,
  };
  await kv.put(INTEGRATION_RECORD_PREFIX + id, JSON.stringify(record));
  return record;
}

export async function deleteWebhookRecord(kv: KV, id: string): Promise<void> {
  await kv.delete(INTEGRATION_RECORD_PREFIX + id);
}
