import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { BUCKETS } from '@autoweave/contracts';
import { Bus, provisionBuckets } from '@autoweave/messaging';
import { loadOpenApi } from '@autoweave/openapi';
import { createLogger } from '@autoweave/observability';
import { SecretBox } from '@autoweave/security';
import { putIntegrationRecord, startNatsServer, type NatsServerHandle } from '@autoweave/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EmbeddedVectorStore, type Item } from '@autoweave/storage';
import { EndpointIndexDestination } from './endpoint-index-destination.js';
import { endpointGraph, GRAPH_LABELS } from './endpoint-graph.js';
import { endpointItems } from './operation-documents.js';
import { petstoreSpec } from './testing/petstore-spec.js';

const ID = '0c7e3c1a-8f4e-4d3b-a2f1-5b9e7d6c4a21';

async function petstoreItems(): Promise<Item[]> {
  const spec = petstoreSpec();
  return endpointItems({ id: ID, name: 'petstore' }, await loadOpenApi({ spec }), 'hash-1', spec);
}

describe('endpoint indexing - the graph of an integration', () => {
  it('writes Integration, then Schema, then Operation nodes with EXPOSES and USES', async () => {
    const writes = endpointGraph(await petstoreItems());
    expect(writes.map((w) => w.nodes.label)).toEqual([GRAPH_LABELS.integration, GRAPH_LABELS.schema, GRAPH_LABELS.operation]);
    const [integrations, schemas, operations] = writes;
    expect(integrations!.items).toEqual([{ id: ID, name: 'petstore', title: 'Swagger Petstore - OpenAPI 3.0', version: '1.0.19', specHash: 'hash-1' }]);
    expect(schemas!.items.map((s) => s.id).sort()).toEqual(['ApiResponse', 'Order', 'Pet', 'User'].map((n) => `${ID}:${n}`));
    expect(schemas!.items.find((s) => s.name === 'Pet')).toEqual({ id: `${ID}:Pet`, name: 'Pet', integrationId: ID });
    expect(operations!.nodes).toEqual({ label: 'Operation', keyField: 'id', properties: ['integrationId', 'operationId', 'method', 'path', 'summary', 'tags', 'deprecated', 'specHash'] });
    expect(operations!.relationships).toEqual([
      { type: 'EXPOSES', from: { label: 'Integration', keyField: 'integrationId', keyProperty: 'id' }, to: { label: 'Operation', keyField: 'id' } },
      { type: 'USES', from: { label: 'Operation', keyField: 'id' }, to: { label: 'Schema', keyField: 'schemas', keyProperty: 'id' } },
    ]);
    const addPet = operations!.items.find((o) => o.operationId === 'addPet');
    expect(addPet).toEqual({
      id: `${ID}:addPet`,
      integrationId: ID,
      operationId: 'addPet',
      method: 'POST',
      path: '/pet',
      summary: 'Add a new pet to the store',
      tags: ['pet'],
      deprecated: false,
      specHash: 'hash-1',
      schemas: [`${ID}:Pet`],
    });
    // An operation without a summary keeps the property null (the destination removes it).
    expect(operations!.items.every((o) => 'summary' in o)).toBe(true);
  });

  it('writes nothing for an empty batch, and only the Integration for a spec without operations', async () => {
    expect(endpointGraph([])).toEqual([]);
    const [integration] = await petstoreItems();
    expect(endpointGraph([integration!]).map((w) => w.nodes.label)).toEqual(['Integration']);
  });
});

/** The little of neo4j-driver this test uses (its types are not a dependency of the worker). */
interface GraphSession {
  run(query: string, params: Record<string, unknown>): Promise<{ records: Array<{ get(key: string): unknown }> }>;
  close(): Promise<void>;
}
interface GraphDriver {
  session(options: { database?: string }): GraphSession;
  close(): Promise<void>;
}
interface Neo4jModule {
  driver(url: string, auth: unknown): GraphDriver;
  auth: { basic(username: string, password: string): unknown };
}

const NEO4J_URL = process.env.NEO4J_URL;
const live = NEO4J_URL ? describe : describe.skip;
if (!NEO4J_URL) {
  // eslint-disable-next-line no-console
  console.log('endpoint graph live test SKIPPED: set NEO4J_URL (and NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE) to run it against a Neo4j or Memgraph server');
}

live('endpoint indexing - the graph in a live Neo4j/Memgraph (NEO4J_URL)', () => {
  let dir: string;
  const graph = { url: NEO4J_URL!, username: process.env.NEO4J_USERNAME ?? 'neo4j', password: process.env.NEO4J_PASSWORD ?? '', timeoutMs: 30_000, ...(process.env.NEO4J_DATABASE ? { database: process.env.NEO4J_DATABASE } : {}) };
  let store: EmbeddedVectorStore;
  let driver: GraphDriver;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aw-graph-'));
    store = new EmbeddedVectorStore({ dir });
    // neo4j-driver is a dependency of libs/storage (the adapter), not of the worker: read the graph back with that copy.
    const neo4j = createRequire(new URL('../../../../libs/storage/package.json', import.meta.url))('neo4j-driver') as Neo4jModule;
    driver = neo4j.driver(graph.url, neo4j.auth.basic(graph.username, graph.password));
  });

  let nats: NatsServerHandle | undefined;
  let nc: NatsConnection | undefined;

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
    const session = driver.session(graph.database ? { database: graph.database } : {});
    await session.run('MATCH (n) WHERE n.id STARTS WITH $id OR n.integrationId = $id DETACH DELETE n', { id: ID }).finally(() => session.close());
    await driver?.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('merges Integration -EXPOSES-> Operation -USES-> Schema through the neo4j destination, twice without duplicates', async () => {
    // The destination writes only integrations that still exist in the registry bucket: give it one.
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    const logger = createLogger({ level: 'silent', service: 'test' });
    const kv = (await provisionBuckets(nc, [BUCKETS.integrations], logger)).get(BUCKETS.integrations)!;
    await putIntegrationRecord(kv, new SecretBox(randomBytes(32)), { id: ID, name: 'petstore', type: 'openapi', config: { openAPISpec: petstoreSpec() } });
    const destination = new EndpointIndexDestination({ bus: new Bus(nc, logger), logger, dataDir: dir, vectorStore: store });
    const items = (await petstoreItems()).map((i) => ({ ...i, vector: [1, 0, 0] }));
    await destination.writeBatch(items, { collection: 'endpoints', graph });
    await destination.writeBatch(items, { collection: 'endpoints', graph });
    await destination.close();

    const session = driver.session(graph.database ? { database: graph.database } : {});
    try {
      const exposes = await session.run('MATCH (:Integration {id: $id})-[r:EXPOSES]->(o:Operation) RETURN count(r) AS n', { id: ID });
      expect(Number(exposes.records[0]!.get('n'))).toBe(18);
      const uses = await session.run('MATCH (o:Operation {id: $op})-[:USES]->(s:Schema) RETURN s.name AS name', { op: `${ID}:addPet` });
      expect(uses.records.map((r) => r.get('name'))).toEqual(['Pet']);
    } finally {
      await session.close();
    }
  });
});
