import { AppError } from '@autoweave/contracts';
import { Ajv, type ValidateFunction } from 'ajv';
import { checkConfig } from '../schema-errors.js';
import type { StorageContext } from '../types.js';
import { lexicalEmbedder } from './lexical.js';
import { openAiEmbedder } from './openai.js';
import type { Embedder, EmbedderDefinition } from './types.js';

interface Registered {
  definition: EmbedderDefinition;
  validate: ValidateFunction;
}

/**
 * The embedder types an `embed` processor can name. Built-ins: `lexical`
 * (no model) and `openai` (any OpenAI-compatible /v1/embeddings endpoint).
 * More are registered in code, like adapters and processors.
 */
export class EmbedderRegistry {
  private readonly ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true });
  private readonly types = new Map<string, Registered>();

  constructor(builtins: EmbedderDefinition[] = [lexicalEmbedder, openAiEmbedder]) {
    for (const definition of builtins) this.register(definition);
  }

  register(definition: EmbedderDefinition): void {
    if (!/^[a-z][a-z0-9_-]{0,49}$/.test(definition.type)) throw new Error(`embedder type "${definition.type}" must be lower-case letters, digits, - or _`);
    if (this.types.has(definition.type)) throw new Error(`embedder type "${definition.type}" is already registered`);
    this.types.set(definition.type, { definition, validate: this.ajv.compile(definition.configSchema) });
  }

  list(): EmbedderDefinition[] {
    return [...this.types.values()].map((r) => r.definition);
  }

  /** The config with defaults filled in (a copy); VALIDATION naming `<where>.<field>` otherwise. */
  validate(config: unknown, where: string): Record<string, unknown> {
    const type = (config as { type?: unknown } | null)?.type;
    const registered = typeof type === 'string' ? this.types.get(type) : undefined;
    if (!registered) {
      throw new AppError('VALIDATION', `${where}.type ${JSON.stringify(type ?? null)} is not a known embedder (known: ${[...this.types.keys()].join(', ')})`, {
        field: `${where}.type`,
      });
    }
    return checkConfig(registered.validate, config, where);
  }

  create(config: Record<string, unknown>, context: StorageContext): Embedder {
    const checked = this.validate(config, 'embedder');
    return this.types.get(checked.type as string)!.definition.create(checked, context);
  }
}

/** The process-wide embedder registry, with the built-ins. */
export const embedderRegistry = new EmbedderRegistry();
