import { databaseIntegration } from './database.js';
import { openapiIntegration } from './openapi.js';
import { pluginIntegration } from './plugin.js';
import type { IntegrationTypeSpec } from './spec.js';
import { webhookIntegration } from './webhook.js';

/** The integration types AutoWeave knows. A new type is one file beside these and one line here. */
const registry = new Map<string, IntegrationTypeSpec>();

export function registerIntegrationType(spec: IntegrationTypeSpec): void {
  if (registry.has(spec.type)) throw new Error(`integration type "${spec.type}" is already registered`);
  registry.set(spec.type, spec);
}

export function integrationType(type: string): IntegrationTypeSpec | undefined {
  return registry.get(type);
}

export function integrationTypeNames(): string[] {
  return [...registry.keys()];
}

for (const spec of [openapiIntegration, webhookIntegration, pluginIntegration, databaseIntegration]) {
  registerIntegrationType(spec as IntegrationTypeSpec);
}

export const BUILTIN_INTEGRATION_TYPES = ['openapi', 'webhook', 'plugin', 'database'] as const;
export type BuiltinIntegrationType = (typeof BUILTIN_INTEGRATION_TYPES)[number];
