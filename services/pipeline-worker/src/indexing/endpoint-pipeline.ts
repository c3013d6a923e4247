import { ENDPOINTS_COLLECTION, PIPELINE_LIMITS, type IntegrationRecord } from '@autoweave/contracts';
import type { GraphSettings } from '../search/search-config.js';
import { ENDPOINT_INDEX_DESTINATION } from './endpoint-index-destination.js';
import { secretFingerprint, specHash } from './fingerprint.js';
import { MANAGED_KINDS, type ManagedDefinition } from './managed-pipelines.js';
import { OPERATIONS_SOURCE } from './operations-source.js';

export interface EndpointIndexSettings {
  /** The `embed` processor's embedder config; searches embed their query with the same one. */
  embedder: Record<string, unknown>;
  graph?: GraphSettings;
  /** Keys the fingerprint (an HMAC: the graph password is part of what it covers). */
  secretKey: string;
}

/** Bumped when the shape of the definition below changes, so existing index pipelines are updated and rerun. */
const DEFINITION_VERSION = 1;

export function endpointPipelineName(integrationId: string): string {
  return `endpoints ${integrationId}`;
}

/**
 * The endpoint-indexing pipeline of one OpenAPI integration:
 *
 *   openapi-operations {integrationId}      one batch: the integration + each operation with its text
 *   -> embed {field: text}                  the worker's embedder (AUTOWEAVE_EMBEDDER)
 *   -> endpoint-index {collection: endpoints, graph?}   upsert + prune; the graph when AUTOWEAVE_NEO4J_URL is set
 *
 * Manual schedule: the indexer runs it when it is created or its
 * fingerprint (spec hash, embedder, graph settings) changes.
 */
export function endpointPipeline(record: IntegrationRecord, settings: EndpointIndexSettings): ManagedDefinition {
  const hash = specHash(record.config);
  const graph = settings.graph ? { ...settings.graph } : undefined;
  return {
    name: endpointPipelineName(record.id),
    description: `Endpoint index of ${record.name}: its operations in the ${ENDPOINTS_COLLECTION} collection${graph ? ' and the endpoint graph' : ''}`,
    source: { type: OPERATIONS_SOURCE, config: { integrationId: record.id } },
    processors: [{ type: 'embed', config: { field: 'text', target: 'vector', embedder: settings.embedder } }],
    destination: { type: ENDPOINT_INDEX_DESTINATION, config: { collection: ENDPOINTS_COLLECTION, ...(graph ? { graph } : {}) } },
    // The source sends a whole spec as one batch whatever this says; the most a batch may be.
    batchSize: PIPELINE_LIMITS.maxBatchSize,
    schedule: { type: 'manual' },
    metadata: {
      managedBy: 'pipeline-worker',
      kind: MANAGED_KINDS.endpointIndex,
      integrationId: record.id,
      specHash: hash,
      fingerprint: secretFingerprint(settings.secretKey, { version: DEFINITION_VERSION, hash, embedder: settings.embedder, graph: graph ?? null }),
    },
  };
}
