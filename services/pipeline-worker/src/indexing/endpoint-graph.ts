import type { Item, NodeSpec, RelationshipSpec } from '@autoweave/storage';

/** One write of the neo4j destination: rows of one node label, and the relationships they start. */
export interface GraphWrite {
  items: Item[];
  nodes: NodeSpec;
  relationships: RelationshipSpec[];
}

export const GRAPH_LABELS = { integration: 'Integration', operation: 'Operation', schema: 'Schema' } as const;
export const GRAPH_RELATIONSHIPS = { exposes: 'EXPOSES', uses: 'USES' } as const;

const OPERATION_PROPERTIES = ['integrationId', 'operationId', 'method', 'path', 'summary', 'tags', 'deprecated', 'specHash'];

/**
 * The graph of a batch of endpoint items, as writes of the neo4j destination
 * (which merges by key, so writing it again changes nothing):
 *
 *   (:Integration {id, name, title, version, specHash})
 *     -[:EXPOSES]-> (:Operation {id: "<integrationId>:<operationId>", method, path, summary, ...})
 *     -[:USES]->    (:Schema {id: "<integrationId>:<name>", name, integrationId})
 *
 * Integrations and schemas first, then operations with both relationships.
 * Operation nodes carry the spec hash they were written from: one whose hash
 * differs from its Integration's has left the spec (the destination merges,
 * it does not delete).
 */
export function endpointGraph(items: readonly Item[]): GraphWrite[] {
  const integrations = items
    .filter((i) => i.kind === 'integration')
    .map((i) => ({ id: i.integrationId, name: i.integrationName, title: i.title, version: i.version, specHash: i.specHash }));
  const operations = items.filter((i) => i.kind === 'operation');
  const schemas = new Map<string, Item>();
  for (const op of operations) {
    const keys = Array.isArray(op.schemas) ? op.schemas : [];
    const names = Array.isArray(op.schemaNames) ? op.schemaNames : [];
    keys.forEach((key, i) => schemas.set(String(key), { id: key, name: names[i], integrationId: op.integrationId }));
  }
  const writes: GraphWrite[] = [];
  if (integrations.length > 0) writes.push({ items: integrations, nodes: { label: GRAPH_LABELS.integration, keyField: 'id' }, relationships: [] });
  if (schemas.size > 0) writes.push({ items: [...schemas.values()], nodes: { label: GRAPH_LABELS.schema, keyField: 'id' }, relationships: [] });
  if (operations.length > 0) {
    writes.push({
      items: operations.map((op) => ({
        id: op.id,
        ...Object.fromEntries(OPERATION_PROPERTIES.map((p) => [p, op[p] ?? null])),
        schemas: Array.isArray(op.schemas) ? op.schemas : [],
      })),
      nodes: { label: GRAPH_LABELS.operation, keyField: 'id', properties: OPERATION_PROPERTIES },
      relationships: [
        {
          type: GRAPH_RELATIONSHIPS.exposes,
          from: { label: GRAPH_LABELS.integration, keyField: 'integrationId', keyProperty: 'id' },
          to: { label: GRAPH_LABELS.operation, keyField: 'id' },
        },
        {
          type: GRAPH_RELATIONSHIPS.uses,
          from: { label: GRAPH_LABELS.operation, keyField: 'id' },
          to: { label: GRAPH_LABELS.schema, keyField: 'schemas', keyProperty: 'id' },
        },
      ],
    });
  }
  return writes;
}
