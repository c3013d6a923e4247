import type { PipelineComponents } from '@autoweave/contracts';
import type { StorageAdapterFactory } from '@autoweave/storage';

/**
 * The catalogue of pipeline components as clients see it: type, description,
 * roles and config schema of every adapter and processor in the worker's
 * registry, without the code (constructors, validate/create functions).
 */
export class ComponentCatalogue {
  constructor(private readonly factory: StorageAdapterFactory) {}

  list(): PipelineComponents {
    return {
      adapters: this.factory.adapterTypes().map((a) => ({ type: a.type, description: a.description, roles: [...a.roles], configSchema: plain(a.configSchema) })),
      processors: this.factory.processorTypes().map((p) => ({ type: p.type, description: p.description, configSchema: plain(p.configSchema) })),
    };
  }
}

/**
 * A JSON copy: ajv's `useDefaults` and registration code share these schema
 * objects, so a reply must never hand out (or be affected by) the live ones.
 */
function plain(schema: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}
