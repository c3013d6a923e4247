import { integrationAdapter } from './adapters/integration/integration.adapter.js';
import { natsAdapter } from './adapters/nats/nats.adapter.js';
import { postgresAdapter } from './adapters/postgres/postgres.adapter.js';
import { neo4jAdapter } from './adapters/neo4j/neo4j.adapter.js';
import { qdrantAdapter } from './adapters/qdrant/qdrant.adapter.js';
import { vectorAdapter } from './adapters/vector/vector.adapter.js';
import { chunkProcessor } from './processors/chunk.js';
import { convertProcessor } from './processors/convert.js';
import { dedupeProcessor } from './processors/dedupe.js';
import { embedProcessor } from './processors/embed.js';
import { filterProcessor } from './processors/filter.js';
import { mapProcessor } from './processors/map.js';
import { pluginProcessor } from './processors/plugin.js';
import { transformProcessor } from './processors/transform.js';
import { storageAdapterFactory } from './registry.js';

/**
 * Every built-in component registers here, one line each, beside its own
 * config schema in its own file (adapters/<type>/, processors/<type>.ts).
 */
export function registerBuiltins(factory = storageAdapterFactory): typeof factory {
  factory.registerAdapter('postgres', postgresAdapter);
  factory.registerAdapter('integration', integrationAdapter);
  factory.registerAdapter('nats', natsAdapter);
  factory.registerAdapter('qdrant', qdrantAdapter);
  factory.registerAdapter('neo4j', neo4jAdapter);
  factory.registerAdapter('vector', vectorAdapter);
  factory.registerProcessor('map', mapProcessor);
  factory.registerProcessor('convert', convertProcessor);
  factory.registerProcessor('filter', filterProcessor);
  factory.registerProcessor('transform', transformProcessor);
  factory.registerProcessor('dedupe', dedupeProcessor);
  factory.registerProcessor('chunk', chunkProcessor);
  factory.registerProcessor('embed', embedProcessor());
  factory.registerProcessor('plugin', pluginProcessor);
  return factory;
}
