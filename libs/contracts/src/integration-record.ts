import type { IntegrationView } from './dto/integration.dto.js';

/**
 * An integration as the hub stores it in the `integrations` bucket under
 * `INTEGRATION_RECORD_PREFIX + id`: what a read shows, but with secret fields
 * sealed (see @autoweave/security) instead of masked, and no revision (that is
 * the KV entry's). Other services may watch the bucket read-only; only the hub
 * writes it.
 */
export type IntegrationRecord = Omit<IntegrationView, 'revision'>;

export interface StoredIntegration {
  record: IntegrationRecord;
  revision: number;
}

export const INTEGRATION_RECORD_PREFIX = 'i.';
