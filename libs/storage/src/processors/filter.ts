import type { ProcessorDefinition } from '../types.js';
import { expressionConfigSchema, limitsOf } from './expression-schema.js';
import { compileExpression, jsonataBoolean } from './jsonata/sandbox.js';

/**
 * Keeps the items for which a JSONata expression is true (JSONata's
 * truthiness: empty strings, 0, empty arrays and objects, null and no result
 * are false) and drops the rest. `{"expression": "status = 'active' and price > 10"}`.
 */
export const filterProcessor: Omit<ProcessorDefinition, 'type'> = {
  description: 'Keep items for which a JSONata expression is true; drop the others',
  configSchema: expressionConfigSchema,
  validate(config, where) {
    compileExpression(config.expression as string, `${where}.expression`, limitsOf(config));
  },
  create(config) {
    const expression = compileExpression(config.expression as string, 'filter expression', limitsOf(config));
    return async (item) => (jsonataBoolean(await expression.evaluate(item)) ? item : null);
  },
};
