import { INTEGRATION_EVENTS, integrationType } from '@autoweave/contracts';
import { maskSecrets } from '@autoweave/security';

type Json = Parameters<typeof maskSecrets>[0];

/**
 * Secrets never leave through `/ws` either. Of the relayed events only
 * `integration.module.discovered` carries an integration config (what
 * discovery found, e.g. a database manifest with its connection string); its
 * secret fields are masked as the REST API masks them, and the config of a
 * type the gateway does not know is withheld (it cannot tell which fields are
 * secret). Every other relayed payload is made by the services without secrets.
 */
export function redactEvent(subject: string, data: unknown): unknown {
  if (subject !== INTEGRATION_EVENTS.moduleDiscovered || !isObject(data) || !isObject(data.config)) return data;
  const spec = typeof data.type === 'string' ? integrationType(data.type) : undefined;
  return { ...data, config: spec ? maskSecrets(data.config as Json, spec.secretFields) : {} };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
