import { storageAdapterFactory } from './registry.js';

/**
 * Every built-in component registers here, one line each, beside its own
 * config schema in its own file (adapters/<type>/, processors/<type>.ts).
 */
export function registerBuiltins(factory = storageAdapterFactory): typeof factory {
  return factory;
}
