import type { IntegrationChangedEvent, IntegrationView, StoredIntegration } from '@autoweave/contracts';

export type { IntegrationRecord, StoredIntegration } from '@autoweave/contracts';

export function changedEvent({ record, revision }: StoredIntegration): IntegrationChangedEvent {
  return { id: record.id, name: record.name, type: record.type, status: record.status, revision, at: record.updatedAt };
}

export function toView({ record, revision }: StoredIntegration, maskedConfig: Record<string, unknown>): IntegrationView {
  return { ...record, config: maskedConfig, revision };
}
