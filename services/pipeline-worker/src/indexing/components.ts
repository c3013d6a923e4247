import type { StorageAdapterFactory } from '@autoweave/storage';
import { ROW_DOCUMENT_PROCESSOR, rowDocumentProcessor } from '../database-sync/row-document.js';
import { ENDPOINT_INDEX_DESTINATION, endpointIndexDestination } from './endpoint-index-destination.js';
import { OPERATIONS_SOURCE, operationsSourceAdapter } from './operations-source.js';

const registered = new WeakSet<StorageAdapterFactory>();

/**
 * The pipeline components of endpoint indexing and database sync, registered
 * in code like any other (docs/STORAGE.md, Extending), once per registry:
 * the `openapi-operations` source, the `endpoint-index` destination and the
 * `row-document` processor. Every worker process registers them before it
 * runs anything, so any replica can run these pipelines.
 */
export function registerIntegrationComponents(factory: StorageAdapterFactory): StorageAdapterFactory {
  if (registered.has(factory)) return factory;
  registered.add(factory);
  factory.registerAdapter(OPERATIONS_SOURCE, operationsSourceAdapter);
  factory.registerAdapter(ENDPOINT_INDEX_DESTINATION, endpointIndexDestination);
  factory.registerProcessor(ROW_DOCUMENT_PROCESSOR, rowDocumentProcessor);
  return factory;
}
