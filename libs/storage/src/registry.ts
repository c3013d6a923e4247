import { AppError } from '@autoweave/contracts';
import { Ajv, type ValidateFunction } from 'ajv';
import { checkConfig } from './schema-errors.js';
import type {
  AdapterConstructor,
  AdapterDefinition,
  ConfigSchema,
  ProcessorDefinition,
  ProcessorFn,
  StorageContext,
  StorageAdapter,
} from './types.js';

const ANY_OBJECT: ConfigSchema = { type: 'object' };
const TYPE_NAME = /^[a-z][a-z0-9_-]{0,49}$/;

interface Registered<D> {
  definition: D;
  validate: ValidateFunction;
}

/**
 * The one registry of pipeline components: adapters (sources and
 * destinations) and processors, each with its config schema beside it.
 * Built-ins register themselves from `builtins.ts`; applications add their
 * own in code (never from an API request):
 *
 *   storageAdapterFactory.registerAdapter('custom', CustomAdapter);
 *   storageAdapterFactory.registerProcessor('custom', async (item, context) => item);
 */
export class StorageAdapterFactory {
  private readonly ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true });
  private readonly adapters = new Map<string, Registered<AdapterDefinition>>();
  private readonly processors = new Map<string, Registered<ProcessorDefinition>>();

  registerAdapter<C>(type: string, adapter: AdapterConstructor<C> | Omit<AdapterDefinition<C>, 'type'>): void {
    const definition: AdapterDefinition<C> =
      typeof adapter === 'function'
        ? { type, description: `custom adapter ${type}`, roles: ['source', 'destination'], configSchema: ANY_OBJECT, adapter }
        : { ...adapter, type };
    this.adapters.set(checkName(type, this.adapters), {
      definition: definition as unknown as AdapterDefinition,
      validate: this.ajv.compile(definition.configSchema),
    });
  }

  registerProcessor(type: string, processor: ProcessorFn | Omit<ProcessorDefinition, 'type'>): void {
    const definition: ProcessorDefinition =
      typeof processor === 'function'
        ? { type, description: `custom processor ${type}`, configSchema: ANY_OBJECT, create: () => processor }
        : { ...processor, type };
    this.processors.set(checkName(type, this.processors), { definition, validate: this.ajv.compile(definition.configSchema) });
  }

  adapterTypes(): AdapterDefinition[] {
    return [...this.adapters.values()].map((r) => r.definition);
  }

  processorTypes(): ProcessorDefinition[] {
    return [...this.processors.values()].map((r) => r.definition);
  }

  /**
   * Checks a stage config against the adapter's schema (filling defaults in a
   * copy) and that the adapter can play `role`. Throws VALIDATION naming the
   * field as `<where>.<field>`.
   */
  validateAdapterConfig(type: string, role: 'source' | 'destination', config: unknown, where: string): Record<string, unknown> {
    const registered = this.adapters.get(type);
    if (!registered) throw new AppError('VALIDATION', `${where}.type "${type}" is not a known adapter (known: ${[...this.adapters.keys()].join(', ')})`, { field: `${where}.type` });
    if (!registered.definition.roles.includes(role)) throw new AppError('VALIDATION', `${where}.type "${type}" cannot be a ${role}`, { field: `${where}.type` });
    const checked = this.check(registered.validate, config, `${where}.config`);
    registered.definition.validate?.(checked, role, `${where}.config`);
    return checked;
  }

  validateProcessorConfig(type: string, config: unknown, where: string): Record<string, unknown> {
    const registered = this.processors.get(type);
    if (!registered) throw new AppError('VALIDATION', `${where}.type "${type}" is not a known processor (known: ${[...this.processors.keys()].join(', ')})`, { field: `${where}.type` });
    const checked = this.check(registered.validate, config, `${where}.config`);
    registered.definition.validate?.(checked, `${where}.config`);
    return checked;
  }

  createAdapter(type: string, context: StorageContext): StorageAdapter {
    const registered = this.adapters.get(type);
    if (!registered) throw new AppError('VALIDATION', `"${type}" is not a known adapter`);
    return new registered.definition.adapter(context);
  }

  /** The per-item function of a processor, for one run; `config` must have been validated. */
  async createProcessor(type: string, config: Record<string, unknown>, context: StorageContext): Promise<ProcessorFn> {
    const registered = this.processors.get(type);
    if (!registered) throw new AppError('VALIDATION', `"${type}" is not a known processor`);
    return registered.definition.create(config, context);
  }

  private check(validate: ValidateFunction, config: unknown, where: string): Record<string, unknown> {
    return checkConfig(validate, config, where);
  }
}

function checkName<D>(type: string, map: Map<string, D>): string {
  if (!TYPE_NAME.test(type)) throw new Error(`component type "${type}" must be lower-case letters, digits, - or _`);
  if (map.has(type)) throw new Error(`component type "${type}" is already registered`);
  return type;
}

/** The process-wide registry, with the built-in adapters and processors registered by `builtins.ts`. */
export const storageAdapterFactory = new StorageAdapterFactory();
