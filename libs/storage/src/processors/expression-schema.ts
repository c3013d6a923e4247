import { DEFAULT_EXPRESSION_LIMITS } from './jsonata/sandbox.js';

/** Config shared by `filter` and `transform`. */
export interface ExpressionConfig {
  expression: string;
  timeoutMs: number;
}

export const expressionConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['expression'],
  properties: {
    expression: { type: 'string', minLength: 1, maxLength: 10000, description: 'A JSONata expression evaluated against the item (and nothing else).' },
    timeoutMs: {
      type: 'integer',
      minimum: 1,
      maximum: 5000,
      default: DEFAULT_EXPRESSION_LIMITS.timeoutMs,
      description: 'Time limit per item; an expression that runs longer fails the item.',
    },
  },
} as const;

export function limitsOf(config: Record<string, unknown>) {
  return { ...DEFAULT_EXPRESSION_LIMITS, timeoutMs: (config.timeoutMs as number | undefined) ?? DEFAULT_EXPRESSION_LIMITS.timeoutMs };
}
