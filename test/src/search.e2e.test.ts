import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EndpointSearchHit, IntegrationSyncResult, IntegrationView, RegisteredIntegration } from '@autoweave/contracts';
import { createTestDatabase, testPool, waitFor, type TestDatabase } from '@autoweave/testing';
import type pg from 'pg';
import { useBackend } from './support/backend.js';

/**
 * Endpoint search and database sync across the whole backend, driven over
 * HTTP: the hub registers the integrations, the pipeline worker picks them up
 * from the registry, indexes the API's operations and syncs the database.
 */
describe('endpoint search and database sync end to end', () => {
  const backend = useBackend();

  describe('an OpenAPI integration registered through the gateway is searchable', () => {
    let api: RegisteredIntegration;
    const search = async (q: string, extra = '') =>
      (await backend.api.call<EndpointSearchHit[]>('GET', `/api/search?q=${encodeURIComponent(q)}${extra}`)).body;

    it('GET /api/search finds its operations by plain-language queries, the right one first', async () => {
      const res = await backend.api.call<RegisteredIntegration>('POST', '/api/integration/register', { name: 'petstore', type: 'openapi', config: { openAPISpec: petstore() } });
      expect(res.status).toBe(201);
      api = res.body;

      const hits = await waitFor(async () => {
        const found = await search('find pets by status', `&integrationId=${api.id}`);
        return Array.isArray(found) && found.length > 0 ? found : undefined;
      }, { timeoutMs: 30_000, what: 'the petstore operations to be indexed' });
      expect(hits[0]).toEqual({
        integrationId: api.id,
        integrationName: 'petstore',
        operationId: 'findPetsByStatus',
        method: 'GET',
        path: '/pet/findByStatus',
        summary: 'Finds Pets by status',
        score: expect.any(Number),
      });
      expect((await search('delete an order', '&limit=3'))[0]).toMatchObject({ integrationId: api.id, operationId: 'deleteOrder', method: 'DELETE', path: '/store/order/{orderId}' });
      expect(await search('pets', '&limit=50')).toHaveLength(8);
    });

    it('refuses a bad search with 400 naming the problem', async () => {
      const missing = await backend.api.call<{ error: { code: string; message: string } }>('GET', '/api/search');
      expect(missing.status).toBe(400);
      expect(missing.body.error.message).toContain('q');
      const tooMany = await backend.api.call<{ error: { code: string; message: string } }>('GET', '/api/search?q=pets&limit=51');
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error.message).toContain('limit');
    });

    it('forgets the operations of a deleted integration', async () => {
      expect((await backend.api.call('DELETE', `/api/integration/${api.id}`)).status).toBe(200);
      await waitFor(async () => (await search('pets', `&integrationId=${api.id}`)).length === 0, { timeoutMs: 30_000, what: 'the deleted integration to leave the index' });
    });
  });

  describe('a database integration with syncEnabled', () => {
    let db: TestDatabase;
    let pool: pg.Pool;
    let url: string;

    beforeAll(async () => {
      db = await createTestDatabase('autoweave_e2e_sync');
      // The machine's PostgreSQL trusts local connections and ignores this password: it is here to be looked for.
      const withPassword = new URL(db.url);
      withPassword.password = 'e2e-Sync-pw';
      url = withPassword.toString();
      pool = testPool(db.url, 2);
      await pool.query('CREATE TABLE products (sku text PRIMARY KEY, title text NOT NULL, price numeric(10,2), updated_at timestamptz NOT NULL DEFAULT now())');
      await pool.query(`INSERT INTO products (sku, title, price) SELECT 'sku-' || g, 'product ' || g, g * 2.5 FROM generate_series(1, 120) g`);
    });

    afterAll(async () => {
      await pool?.end();
      await db?.drop();
    });

    const inSync = () =>
      waitFor(async () => {
        const { rows } = await pool
          .query('SELECT count(*)::int AS n FROM products s FULL JOIN copy_products d USING (sku) WHERE s IS DISTINCT FROM d')
          .catch(() => ({ rows: [{ n: -1 }] }));
        return rows[0].n === 0;
      }, { timeoutMs: 30_000, what: 'copy_products to equal products' });

    it('syncs its tables into the destination, and POST /api/integration/:id/sync syncs what changed since', async () => {
      const res = await backend.api.call<RegisteredIntegration>('POST', '/api/integration/register', {
        name: 'shop db',
        type: 'database',
        config: {
          dbType: 'postgres',
          connectionString: url,
          tables: ['products'],
          syncEnabled: true,
          syncDestination: 'postgres',
          syncDestinationConfig: { connectionString: url, tablePrefix: 'copy_' },
        },
      });
      expect(res.status).toBe(201);
      expect(res.body.config).toMatchObject({ connectionString: '***', syncDestinationConfig: { connectionString: '***', tablePrefix: 'copy_' } });
      await inSync();

      await pool.query(`UPDATE products SET price = 0, updated_at = now() WHERE sku = 'sku-7'`);
      await pool.query(`INSERT INTO products (sku, title) VALUES ('sku-new', 'a new product')`);
      const sync = await waitFor(async () => {
        const reply = await backend.api.call<IntegrationSyncResult>('POST', `/api/integration/${res.body.id}/sync`);
        return reply.status === 200 ? reply.body : undefined; // 409 while the first run still holds the pipeline
      }, { timeoutMs: 30_000, what: 'the sync to be accepted' });
      expect(sync).toMatchObject({ integrationId: res.body.id, destination: 'postgres', tables: [{ table: 'public.products', pipelineId: expect.any(String) }], skipped: [] });
      await inSync();

      const read = await backend.api.call<IntegrationView>('GET', `/api/integration/${res.body.id}`);
      expect(read.body.config).toMatchObject({ connectionString: '***', syncDestinationConfig: { connectionString: '***' } });
      const pipeline = await backend.api.call<{ source: { config: Record<string, unknown> } }>('GET', `/api/pipeline/${sync.tables[0]!.pipelineId}`);
      expect(pipeline.body.source.config).toMatchObject({ connectionString: '***', table: 'products', keyColumns: ['sku'], cursorColumn: 'updated_at' });
      expect(backend.api.seenBodies.join('\n')).not.toContain('e2e-Sync-pw');
      expect(backend.stack.allOutput()).not.toContain('e2e-Sync-pw');
    });
  });
});

/** A petstore-like API: eight operations of the Swagger Petstore with their own summaries and descriptions. */
function petstore(): Record<string, unknown> {
  const id = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'integer', format: 'int64' } });
  const ok = { '200': { description: 'successful operation' } };
  return {
    openapi: '3.0.3',
    info: { title: 'Swagger Petstore - OpenAPI 3.0', version: '1.0.19' },
    servers: [{ url: 'http://127.0.0.1:9/api/v3' }],
    paths: {
      '/pet': {
        post: { tags: ['pet'], operationId: 'addPet', summary: 'Add a new pet to the store', description: 'Add a new pet to the store', responses: ok },
        put: { tags: ['pet'], operationId: 'updatePet', summary: 'Update an existing pet', description: 'Update an existing pet by Id', responses: ok },
      },
      '/pet/findByStatus': {
        get: {
          tags: ['pet'],
          operationId: 'findPetsByStatus',
          summary: 'Finds Pets by status',
          description: 'Multiple status values can be provided with comma separated strings',
          parameters: [{ name: 'status', in: 'query', description: 'Status values that need to be considered for filter', schema: { type: 'string', enum: ['available', 'pending', 'sold'] } }],
          responses: ok,
        },
      },
      '/pet/{petId}': {
        get: { tags: ['pet'], operationId: 'getPetById', summary: 'Find pet by ID', description: 'Returns a single pet', parameters: [id('petId', 'ID of pet to return')], responses: ok },
        delete: { tags: ['pet'], operationId: 'deletePet', summary: 'Deletes a pet', parameters: [id('petId', 'Pet id to delete')], responses: ok },
      },
      '/store/order': {
        post: { tags: ['store'], operationId: 'placeOrder', summary: 'Place an order for a pet', description: 'Place a new order in the store', responses: ok },
      },
      '/store/order/{orderId}': {
        get: { tags: ['store'], operationId: 'getOrderById', summary: 'Find purchase order by ID', parameters: [id('orderId', 'ID of order that needs to be fetched')], responses: ok },
        delete: {
          tags: ['store'],
          operationId: 'deleteOrder',
          summary: 'Delete purchase order by ID',
          description: 'For valid response try integer IDs with value < 1000. Anything above 1000 or nonintegers will generate API errors',
          parameters: [id('orderId', 'ID of the order that needs to be deleted')],
          responses: ok,
        },
      },
    },
  };
}
