import { parseQuantity } from '../rules/quantity.js';

/**
 * A resource amount in a deploy config: a Kubernetes quantity without a sign (a cpu or memory
 * amount is never negative). The value in base units, or undefined when it is not one.
 */
export function parseResourceQuantity(text: string): number | undefined {
  return /^\s*[+-]/.test(text) ? undefined : parseQuantity(text);
}
