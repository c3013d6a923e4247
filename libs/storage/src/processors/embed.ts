import { AppError } from '@autoweave/contracts';
import { CoalescingEmbedder } from '../embedders/coalescing.js';
import { embedderRegistry, type EmbedderRegistry } from '../embedders/registry.js';
import { fieldPathSchema, getPath, preview, setPath } from '../paths.js';
import type { ProcessorDefinition } from '../types.js';

/**
 * Text -> vector: embeds the text at `field` with the configured embedder
 * and stores the vector (an array of numbers) at `target` (default
 * `vector`, which the vector destinations read).
 *
 * Embedders: `{"type": "lexical", "dimensions": 384}` (built in, no model,
 * lexical similarity only) or `{"type": "openai", "url", "model", "apiKey"?,
 * "dimensions"?}` (any OpenAI-compatible /v1/embeddings server, for
 * semantic search). Items processed concurrently share one request.
 * A missing or empty text fails the item (an empty text has no meaning to
 * embed; filter such items out first if they are expected).
 */
export const embedConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['field', 'embedder'],
  properties: {
    field: { ...fieldPathSchema, description: 'The text to embed.' },
    target: { ...fieldPathSchema, default: 'vector', description: 'Where the vector goes.' },
    embedder: { type: 'object', required: ['type'], properties: { type: { type: 'string' } }, description: 'Which embedder; see Embedders.' },
  },
} as const;

export function embedProcessor(embedders: EmbedderRegistry = embedderRegistry): Omit<ProcessorDefinition, 'type'> {
  return {
    description: 'Embed a text field into a vector (lexical built-in, or an OpenAI-compatible endpoint)',
    configSchema: embedConfigSchema,
    validate(config, where) {
      config.embedder = embedders.validate(config.embedder, `${where}.embedder`);
    },
    create(config, context) {
      const field = config.field as string;
      const target = config.target as string;
      const embedder = new CoalescingEmbedder(embedders.create(config.embedder as Record<string, unknown>, context));
      return async (item) => {
        const text = getPath(item, field);
        if (typeof text !== 'string' || text.trim() === '') {
          throw new AppError('VALIDATION', `embed: field "${field}" must be a non-empty string (got ${preview(text)})`, { field });
        }
        return setPath(item, target, await embedder.embedOne(text));
      };
    },
  };
}
