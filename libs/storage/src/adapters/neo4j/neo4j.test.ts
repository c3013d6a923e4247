import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import { freePort } from '@autoweave/testing';
import neo4j, { type Driver } from 'neo4j-driver';
import { randomUUID } from 'node:crypto';
import { factory, fieldOf, testContext, validationError } from '../../testing/processor-harness.js';
import { batchStatements, nodeRows, nodeUpsertQuery, quoteIdentifier, relationshipRows, relationshipUpsertQuery, toPropertyValue } from './cypher.js';
import { neo4jError } from './errors.js';
import { Neo4jDestination } from './neo4j.adapter.js';
import type { Neo4jDestinationConfig } from './neo4j.config.js';

const PASSWORD = 'neo4j-Secr3t-pw';
const base = { url: 'bolt://127.0.0.1:7687', username: 'neo4j', password: PASSWORD, nodes: { label: 'Operation', keyField: 'id' } };

describe('neo4j - Cypher building', () => {
  it('merges nodes by key and sets the other fields as properties', () => {
    expect(nodeUpsertQuery({ label: 'Operation', keyField: 'id' })).toBe('UNWIND $rows AS row\nMERGE (n:`Operation` {`id`: row.key})\nSET n += row.props');
    expect(nodeUpsertQuery({ label: 'Integration', keyField: 'integrationId', keyProperty: 'id' })).toContain('MERGE (n:`Integration` {`id`: row.key})');
  });

  it('merges relationships between nodes found (or created) by key', () => {
    expect(
      relationshipUpsertQuery({ type: 'EXPOSES', from: { label: 'Integration', keyField: 'integrationId', keyProperty: 'id' }, to: { label: 'Operation', keyField: 'id' } }, 0),
    ).toBe('UNWIND $rows AS row\nMERGE (a:`Integration` {`id`: row.from})\nMERGE (b:`Operation` {`id`: row.to})\nMERGE (a)-[:`EXPOSES`]->(b)');
  });

  it('rows: integers as Neo4j integers, lists of one type, maps as JSON text, arrays of keys fan out', () => {
    const items = [{ id: 'op1', integrationId: 'petstore', count: 3, ratio: 0.5, tags: ['a', 'b'], mixed: [1, 'x'], meta: { a: 1 }, none: null, schemas: ['Pet', 'Error'] }];
    const [row] = nodeRows(items, { label: 'Operation', keyField: 'id' });
    expect(row!.key).toBe('op1');
    expect(neo4j.isInt(row!.props.count)).toBe(true);
    expect(row!.props).toMatchObject({ ratio: 0.5, tags: ['a', 'b'], mixed: '[1,"x"]', meta: '{"a":1}', none: null });
    expect(row!.props).not.toHaveProperty('id');
    expect(toPropertyValue([1, 2.5])).toEqual([1, 2.5]);
    expect(nodeRows(items, { label: 'Operation', keyField: 'id', properties: ['count', 'absent'] })[0]!.props).toEqual({ count: neo4j.int(3) });
    expect(relationshipRows(items, { type: 'USES', from: { label: 'Operation', keyField: 'id' }, to: { label: 'Schema', keyField: 'schemas' } })).toEqual([
      { from: 'op1', to: 'Pet' },
      { from: 'op1', to: 'Error' },
    ]);
    expect(relationshipRows([{ id: 'op2' }], { type: 'USES', from: { label: 'Operation', keyField: 'id' }, to: { label: 'Schema', keyField: 'schemas' } })).toEqual([]);
  });

  it('one batch: the node statement, then one statement per relationship that has rows', () => {
    const statements = batchStatements([{ id: 'op1', integrationId: 'p' }], { label: 'Operation', keyField: 'id' }, [
      { type: 'EXPOSES', from: { label: 'Integration', keyField: 'integrationId', keyProperty: 'id' }, to: { label: 'Operation', keyField: 'id' } },
      { type: 'USES', from: { label: 'Operation', keyField: 'id' }, to: { label: 'Schema', keyField: 'schemas' } },
    ]);
    expect(statements).toHaveLength(2);
    expect(statements[1]!.params.rows).toEqual([{ from: 'p', to: 'op1' }]);
  });

  it('an item without a key fails the batch before anything is sent', () => {
    expect(() => nodeRows([{ name: 'x' }], { label: 'Operation', keyField: 'id' })).toThrow(/key field "id"/);
  });

  // Names from config are the only text that reaches the query: every way out of the backquotes is refused.
  it.each([
    'Operation`) DETACH DELETE n //',
    'Op` {x:1})-[:R]->(m) WITH m MATCH (z) DETACH DELETE z //',
    'a b',
    'Label:Other',
    '`Quoted`',
    'x\u0060',
    'name\nMATCH (n) DETACH DELETE n',
    '1Label',
    '',
    'Ünïcode',
    'a'.repeat(65),
  ])('refuses identifier %p', (name) => {
    expect(() => quoteIdentifier(name, 'nodes.label')).toThrow(AppError);
    expect(() => nodeUpsertQuery({ label: name, keyField: 'id' })).toThrow(/nodes.label must match/);
    expect(() => nodeUpsertQuery({ label: 'Ok', keyField: 'id', keyProperty: name })).toThrow(/nodes.keyProperty/);
    expect(() => relationshipUpsertQuery({ type: name, from: { label: 'A', keyField: 'a' }, to: { label: 'B', keyField: 'b' } }, 3)).toThrow(/relationships\[3\]\.type/);
    expect(fieldOf(validationError(() => factory.validateAdapterConfig('neo4j', 'destination', { ...base, nodes: { label: name, keyField: 'id' } }, 'destination')))).toBe(
      'destination.config.nodes.label',
    );
    expect(
      fieldOf(
        validationError(() =>
          factory.validateAdapterConfig('neo4j', 'destination', { ...base, relationships: [{ type: name, from: { label: 'A', keyField: 'a' }, to: { label: 'B', keyField: 'b' } }] }, 'destination'),
        ),
      ),
    ).toBe('destination.config.relationships.0.type');
  });

  it('property names and values from data are parameters, never query text', () => {
    const evil = { id: 'x`}) DETACH DELETE n //', 'weird`key) DELETE n': 'v' };
    const [statement] = batchStatements([evil], { label: 'Operation', keyField: 'id' });
    expect(statement!.query).toBe(nodeUpsertQuery({ label: 'Operation', keyField: 'id' }));
    expect(statement!.params.rows).toEqual([{ key: evil.id, props: { 'weird`key) DELETE n': 'v' } }]);
  });
});

describe('neo4j - config and errors', () => {
  it.each([
    [{ ...base, url: 'http://127.0.0.1:7474' }, 'destination.config.url'],
    [{ ...base, url: 'bolt://neo4j:pw@host:7687' }, 'destination.config.url'],
    [{ ...base, nodes: { label: 'Operation' } }, 'destination.config.nodes.keyField'],
    [{ ...base, database: 'x; DROP' }, 'destination.config.database'],
    [{ ...base, password: undefined }, 'destination.config.password'],
    [{ ...base, batchSize: 0 }, 'destination.config.batchSize'],
  ])('config %p -> VALIDATION naming %s, without the password', (config, field) => {
    const err = validationError(() => factory.validateAdapterConfig('neo4j', 'destination', config, 'destination'));
    expect(fieldOf(err)).toBe(field);
    expect(JSON.stringify(err.toBody())).not.toContain(PASSWORD);
  });

  it('accepts Memgraph/Neo4j URLs and fills defaults', () => {
    for (const url of ['bolt://memgraph:7687', 'neo4j+s://x.databases.neo4j.io', 'bolt+ssc://10.0.0.1:7687']) {
      expect(factory.validateAdapterConfig('neo4j', 'destination', { ...base, url }, 'd')).toMatchObject({ url, batchSize: 500, relationships: [] });
    }
  });

  it('driver errors become AppErrors with the password cut out', () => {
    const unauthorized = neo4jError(Object.assign(new Error(`auth failed for ${PASSWORD}`), { code: 'Neo.ClientError.Security.Unauthorized' }), 'write', PASSWORD);
    expect(unauthorized.code).toBe('UNAUTHORIZED');
    expect(unauthorized.message).not.toContain(PASSWORD);
    expect(neo4jError(Object.assign(new Error('no'), { code: 'ServiceUnavailable' }), 'write').code).toBe('UNAVAILABLE');
    expect(neo4jError(Object.assign(new Error('syntax'), { code: 'Neo.ClientError.Statement.SyntaxError' }), 'write').code).toBe('UPSTREAM');
  });

  it('an unreachable server fails the write with UNAVAILABLE and no password', async () => {
    const port = await freePort();
    const adapter = new Neo4jDestination(testContext());
    const config = factory.validateAdapterConfig('neo4j', 'destination', { ...base, url: `bolt://127.0.0.1:${port}`, timeoutMs: 2000 }, 'd') as unknown as Neo4jDestinationConfig;
    const err = (await adapter.writeBatch([{ id: 'a' }], config).catch((e: unknown) => e)) as AppError;
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('UNAVAILABLE');
    expect(JSON.stringify(err.toBody())).not.toContain(PASSWORD);
    expect((await adapter.healthCheck(config)).ok).toBe(false);
    await adapter.close();
  });
});

const NEO4J_URL = process.env.NEO4J_URL;
if (!NEO4J_URL) process.stdout.write('neo4j live test skipped: set NEO4J_URL (e.g. bolt://127.0.0.1:7687) and NEO4J_USERNAME/NEO4J_PASSWORD to run it against Neo4j or Memgraph\n');

(NEO4J_URL ? describe : describe.skip)('neo4j - live (NEO4J_URL)', () => {
  const suffix = randomUUID().replace(/-/g, '').slice(0, 8);
  const labels = { op: `Op_${suffix}`, integration: `Int_${suffix}`, schema: `Schema_${suffix}` };
  const config = {
    url: NEO4J_URL ?? '',
    username: process.env.NEO4J_USERNAME ?? 'neo4j',
    password: process.env.NEO4J_PASSWORD ?? '',
    ...(process.env.NEO4J_DATABASE ? { database: process.env.NEO4J_DATABASE } : {}),
    nodes: { label: labels.op, keyField: 'id' },
    batchSize: 2,
    relationships: [
      { type: 'EXPOSES', from: { label: labels.integration, keyField: 'integrationId', keyProperty: 'id' }, to: { label: labels.op, keyField: 'id' } },
      { type: 'USES', from: { label: labels.op, keyField: 'id' }, to: { label: labels.schema, keyField: 'schemas', keyProperty: 'name' } },
    ],
  };
  let driver: Driver;
  const query = async (cypher: string) => (await driver.executeQuery(cypher, {}, { database: process.env.NEO4J_DATABASE })).records.map((r) => r.toObject());

  beforeAll(() => {
    driver = neo4j.driver(config.url, neo4j.auth.basic(config.username, config.password), { disableLosslessIntegers: true });
  });

  afterAll(async () => {
    for (const label of Object.values(labels)) await query(`MATCH (n:\`${label}\`) DETACH DELETE n`);
    await driver.close();
  });

  it('writes nodes and relationships; writing again changes nothing', async () => {
    const adapter = new Neo4jDestination(testContext());
    const checked = factory.validateAdapterConfig('neo4j', 'destination', config, 'd') as unknown as Neo4jDestinationConfig;
    const items = [
      { id: 'listPets', integrationId: 'petstore', method: 'GET', schemas: ['Pet'] },
      { id: 'createPet', integrationId: 'petstore', method: 'POST', schemas: ['Pet', 'Error'] },
      { id: 'getOrder', integrationId: 'store', method: 'GET', schemas: [] },
    ];
    expect(await adapter.writeBatch(items, checked)).toEqual({ written: 3 });
    await adapter.writeBatch(items, checked);
    expect(await query(`MATCH (n:\`${labels.op}\`) RETURN count(n) AS n`)).toEqual([{ n: 3 }]);
    expect(await query(`MATCH (:\`${labels.integration}\` {id: 'petstore'})-[r:EXPOSES]->() RETURN count(r) AS n`)).toEqual([{ n: 2 }]);
    expect(await query(`MATCH ()-[r:USES]->(s:\`${labels.schema}\`) RETURN s.name AS name, count(r) AS n ORDER BY name`)).toEqual([
      { name: 'Error', n: 1 },
      { name: 'Pet', n: 2 },
    ]);
    expect(await query(`MATCH (n:\`${labels.op}\` {id: 'listPets'}) RETURN n.method AS method`)).toEqual([{ method: 'GET' }]);
    await adapter.close();
  });
});
