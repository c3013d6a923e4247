import { vectorDestinationProperties } from '../../vector/destination.js';

export const vectorConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['collection'],
  properties: { ...vectorDestinationProperties },
} as const;
