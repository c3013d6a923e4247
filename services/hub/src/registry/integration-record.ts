import type { IntegrationChangedEvent, IntegrationView } from '@autoweave/contracts';

/** An integration as stored in the `integrations` bucket: what a read shows, secrets sealed instead of masked, no revision (that is the KV entry's). */
export type IntegrationRecord = Omit<IntegrationView, 'revision'>;

export interface StoredIntegration {
  record: IntegrationRecord;
  revision: number;
}

export function changedEvent({ record, revision }: StoredIntegration): IntegrationChangedEvent {
  return { id: record.id, name: record.name, type: record.type, status: record.status, revision, at: record.updatedAt };
}

export function toView({ record, revision }: StoredIntegration, maskedConfig: Record<string, unknown>): IntegrationView {
  return { ...record, config: maskedConfig, revision };
}
