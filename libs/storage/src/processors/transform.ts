import { AppError } from '@autoweave/contracts';
import type { Item, ProcessorDefinition, ProcessorResult } from '../types.js';
import { expressionConfigSchema, limitsOf } from './expression-schema.js';
import { compileExpression } from './jsonata/sandbox.js';

/**
 * Replaces each item by the result of a JSONata expression: an object is the
 * new item, an array of objects becomes several items (an empty array drops
 * the item). Anything else (a number, no result) fails the item with an
 * error, so a mistyped field name is seen instead of silently dropping
 * everything; use `filter` to drop items on purpose.
 * `{"expression": "$merge([$, {'name': $uppercase(name)}])"}`.
 */
export const transformProcessor: Omit<ProcessorDefinition, 'type'> = {
  description: 'Replace each item by the result of a JSONata expression (an object, or an array of objects for several items)',
  configSchema: expressionConfigSchema,
  validate(config, where) {
    compileExpression(config.expression as string, `${where}.expression`, limitsOf(config));
  },
  create(config) {
    const expression = compileExpression(config.expression as string, 'transform expression', limitsOf(config));
    return async (item): Promise<ProcessorResult> => toItems(await expression.evaluate(item));
  },
};

function isObject(value: unknown): value is Item {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** JSON only: JSONata results may carry functions or sequence markers that must not travel further. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function toItems(result: unknown): ProcessorResult {
  if (isObject(result)) return plain(result);
  if (Array.isArray(result) && result.every(isObject)) return result.length === 0 ? null : plain(result as Item[]);
  const got = result === undefined ? 'no result' : Array.isArray(result) ? 'an array that is not all objects' : `a ${typeof result}`;
  throw new AppError('VALIDATION', `transform expression must produce an object or an array of objects, got ${got}`, { field: 'expression' });
}
