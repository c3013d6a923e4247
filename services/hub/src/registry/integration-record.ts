import type { HealthState, IntegrationChangedEvent, IntegrationStatus, IntegrationView } from '@autoweave/contracts';

/** An integration as stored in the `integrations` bucket: secrets sealed. */
export interface IntegrationRecord {
  id: string;
  name: string;
  type: string;
  description?: string;
  status: IntegrationStatus;
  health: HealthState;
  /** Secret fields hold sealed values (see SecretBox). */
  config: Record<string, unknown>;
  tags: string[];
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

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
