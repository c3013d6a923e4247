import { fieldPathSchema } from '../../paths.js';
import { vectorDestinationProperties, type VectorDestinationConfig } from '../../vector/destination.js';
import { PAYLOAD_INDEX_SCHEMAS, type PayloadIndex } from './requests.js';

export interface QdrantDestinationConfig extends VectorDestinationConfig {
  url: string;
  apiKey?: string;
  batchSize: number;
  timeoutMs: number;
  payloadIndexes: PayloadIndex[];
}

export const qdrantConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'collection'],
  properties: {
    url: { type: 'string', pattern: '^https?://[^\\s]+$', description: 'Qdrant REST URL, e.g. http://qdrant:6333.' },
    apiKey: { type: 'string', minLength: 1, description: 'Qdrant API key (secret).' },
    ...vectorDestinationProperties,
    batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 256, description: 'Points per upsert request.' },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 600000, default: 30000, description: 'Per request.' },
    payloadIndexes: {
      type: 'array',
      default: [],
      description: 'Payload fields to index for filtered search.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['field', 'schema'],
        properties: { field: fieldPathSchema, schema: { enum: [...PAYLOAD_INDEX_SCHEMAS] } },
      },
    },
  },
} as const;
