import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IntegrationView, PipelineStatusView } from '@autoweave/contracts';
import { createTestDatabase, testPool, waitFor, type TestDatabase } from '@autoweave/testing';
import type pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { useBackend } from './support/backend.js';
import { CHROMIUM, eventuallyAttribute, eventuallyCount, eventuallyText, hasChromium, launchChromium, screenshot } from './support/browser.js';

const ROWS = 50;

/** A local HTTP server that records what it receives: the webhook receiver and the upstream API. */
async function startServer(handler: (req: IncomingMessage, body: string) => { status: number; body: unknown }): Promise<{ url: string; server: Server; received: Array<{ url: string; body: string }> }> {
  const received: Array<{ url: string; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ url: req.url ?? '', body });
      const answer = handler(req, body);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, received };
}

const itemsSpec = (url: string) => ({
  openapi: '3.0.3',
  info: { title: 'Items', version: '1.0.0' },
  servers: [{ url }],
  paths: { '/items': { get: { operationId: 'listItems', summary: 'List the items in stock', responses: { 200: { description: 'ok' } } } } },
});

const describeBrowser = hasChromium() ? describe : describe.skip;
if (!hasChromium()) {
  process.stdout.write(`\n[dashboard.e2e] SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium; scripts/setup.sh test installs it).\n\n`);
}

/**
 * The dashboard in real headless Chromium against the whole backend (five
 * services as processes on a private nats-server, PostgreSQL for the
 * pipeline). One browser for the file; screenshots of the main pages go to
 * docs/screenshots/.
 */
describeBrowser('dashboard in a browser, against the whole backend', () => {
  const backend = useBackend();
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let receiver: Awaited<ReturnType<typeof startServer>>;
  let upstream: Awaited<ReturnType<typeof startServer>>;
  let db: TestDatabase;
  let pool: pg.Pool;
  const pageErrors: string[] = [];

  const base = () => backend.stack.gatewayUrl;
  const go = async (hash: string) => {
    await page.evaluate((h) => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = h;
    }, hash);
  };
  const integrationId = async (name: string) =>
    (await backend.api.call<{ items: IntegrationView[] }>('GET', '/api/integration/list')).body.items.find((i) => i.name === name)?.id;

  beforeAll(async () => {
    receiver = await startServer(() => ({ status: 200, body: { ok: true } }));
    upstream = await startServer((req) => {
      if (req.url === '/items') return { status: 200, body: [{ id: 1 }, { id: 2 }] };
      if (req.url === '/openapi.json') return { status: 200, body: itemsSpec(upstream.url) };
      return { status: 404, body: { error: 'nope' } };
    });
    db = await createTestDatabase('autoweave_e2e_dashboard');
    pool = testPool(db.url, 2);
    await pool.query('CREATE TABLE products (id bigint PRIMARY KEY, title text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())');
    await pool.query(`INSERT INTO products (id, title) SELECT g, 'product ' || g FROM generate_series(1, ${ROWS}) g`);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 820 } });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await pool?.end();
    await db?.drop();
    await new Promise((r) => receiver?.server.close(r));
    await new Promise((r) => upstream?.server.close(r));
  });

  it('serves the dashboard with its security headers, and signs in with an API key kept out of the URL', async () => {
    const res = await page.goto(`${base()}/`);
    const headers = res!.headers();
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    await page.fill('input[name=apiKey]', 'aw_wrong-key-wrong-key-wrong-key-wrong-key-wro');
    await page.click('button[type=submit]');
    await page.waitForSelector('.error-box');
    await screenshot(page, 'login');
    await page.fill('input[name=apiKey]', backend.stack.adminKey);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=integrations]');
    await page.waitForSelector('[data-testid=live-status]:has-text("live")');
    expect(page.url()).not.toContain(backend.stack.adminKey);
    expect(await page.evaluate(() => (globalThis as unknown as { sessionStorage: { length: number } }).sessionStorage.length)).toBe(1);
  });

  it('registers an integration through the form and shows it in the list', async () => {
    await go('#/integrations/new');
    await page.selectOption('select[name=type]', 'webhook');
    await page.fill('input[name=name]', 'orders-hook');
    await page.fill('input[name="tags"]', 'orders, e2e');
    await page.fill('input[name="config.url"]', `${receiver.url}/hook`);
    await page.fill('input[name="config.events"]', 'order.*');
    await page.click('button[type=submit]');
    // The hub generated the signing secret: shown once.
    await eventuallyText(page.locator('[data-testid=generated-secret]'), /^whsec_/);
    await go('#/integrations');
    const row = page.locator('tr[data-integration="orders-hook"]');
    await row.waitFor();
    expect(await row.locator('[data-col=status]').textContent()).toBe('active');
  });

  it('shows the API\u2019s validation error next to the field it names', async () => {
    await go('#/integrations/new');
    await page.selectOption('select[name=type]', 'webhook');
    await page.fill('input[name=name]', 'broken-hook');
    await page.fill('input[name="config.url"]', 'not a url');
    await page.fill('input[name="config.events"]', 'order.*');
    await page.click('button[type=submit]');
    const problem = page.locator('[data-field-error="config.url"]');
    await eventuallyText(problem, 'url must be an http(s) URL', { contains: true });
    await eventuallyCount(page.locator('[data-field-error="config.events"]'), 0);
    await screenshot(page, 'register-validation');
    expect(await integrationId('broken-hook')).toBeUndefined();
  });

  it('updates the list live when an integration is disabled through the API (no reload)', async () => {
    await go('#/integrations');
    const status = page.locator('tr[data-integration="orders-hook"] [data-col=status]');
    await eventuallyText(status, 'active');
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
    const id = (await integrationId('orders-hook'))!;
    expect((await backend.api.call('POST', `/api/integration/${id}/disable`)).status).toBe(200);
    await eventuallyText(status, 'disabled');
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(42);
    expect((await backend.api.call('POST', `/api/integration/${id}/enable`)).status).toBe(200);
    await eventuallyText(status, 'active');
  });

  it('opens a detail page with call charts, the log and the generated manifests', async () => {
    const created = await backend.api.call<IntegrationView>('POST', '/api/integration/register', {
      name: 'inventory',
      type: 'openapi',
      tags: ['stock'],
      config: { openAPISpec: itemsSpec(upstream.url), auth: { type: 'bearer', token: 'very-secret-token' } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    for (let i = 0; i < 5; i++) expect((await backend.api.call('POST', `/api/integration/${id}/execute`, { action: 'listItems' })).status).toBe(200);
    await go(`#/integrations/${id}`);
    await eventuallyText(page.locator('[data-testid=stat-requests] .stat-value'), '5', { timeoutMs: 20_000 });
    await eventuallyAttribute(page.locator('[data-testid=chart-latency]'), 'data-points', /^[1-9]/);
    expect(await page.locator('[data-testid=chart-rate] .chart-last').textContent()).not.toBe('no data');
    expect(await page.locator('[data-testid=logs] tbody tr').count()).toBeGreaterThanOrEqual(5);
    const config = await page.locator('[data-testid=config]').textContent();
    expect(config).toContain('***');
    expect(config).not.toContain('very-secret-token');
    // A live call shows up without a reload.
    expect((await backend.api.call('POST', `/api/integration/${id}/execute`, { action: 'listItems' })).status).toBe(200);
    await eventuallyText(page.locator('[data-testid=stat-requests] .stat-value'), '6', { timeoutMs: 20_000 });
    await eventuallyText(page.locator('[data-testid=manifests] pre'), 'kind: Deployment', { contains: true, timeoutMs: 30_000 });
    await screenshot(page, 'integration-detail');
  });

  it('lists webhook delivery attempts and replays one from the page', async () => {
    const id = (await integrationId('orders-hook'))!;
    await go(`#/integrations/${id}`);
    await page.waitForSelector('[data-testid=deliveries]');
    expect((await backend.api.call('POST', '/api/events/publish', { topic: 'order.created', data: { orderId: 7 } })).status).toBe(202);
    const rows = page.locator('[data-testid=deliveries] tbody tr');
    await eventuallyAttribute(rows.first(), 'data-trigger', 'delivery', { timeoutMs: 30_000 });
    const before = receiver.received.length;
    await rows.first().locator('button:has-text("Replay")').click();
    await eventuallyCount(page.locator('[data-testid=deliveries] tbody tr[data-trigger=replay]'), 1, { timeoutMs: 30_000 });
    expect(receiver.received.length).toBe(before + 1);
    expect(JSON.parse(receiver.received.at(-1)!.body)).toMatchObject({ data: { orderId: 7 } });
    await screenshot(page, 'deliveries', '[data-testid=deliveries]');
  });

  it('builds a pipeline from the config fields of each component, shows a bad field\u2019s error next to it, registers it and runs it', async () => {
    await go('#/pipelines/new');
    // The stage forms come from the components' JSON Schemas (GET /api/pipeline/components).
    const sourceUrl = page.locator('input[name="source.config.connectionString"]');
    await sourceUrl.waitFor();
    expect(await sourceUrl.getAttribute('type')).toBe('password');
    expect(await page.locator('[data-required=true] [data-field="source.config.keyColumns"]').count()).toBe(1);
    expect(await page.inputValue('input[name="source.config.schema"]')).toBe('public'); // the schema's default
    await page.fill('input[name=name]', 'products copy');
    await sourceUrl.fill(db.url);
    await page.fill('input[name="source.config.table"]', 'products');
    await page.fill('input[name="source.config.keyColumns"]', 'id');
    await page.fill('input[name="source.config.cursorColumn"]', 'updated_at');
    await page.click('button:has-text("Add processor")');
    await page.selectOption('select[name="processors[0].type"]', 'map');
    await page.fill('input[name="processors[0].config.select"]', 'id, title, updated_at');
    await page.fill('input[name="destination.config.connectionString"]', db.url);
    await page.fill('input[name="destination.config.table"]', 'products copy!');
    await page.fill('input[name="destination.config.keyColumns"]', 'id');
    await page.check('input[name="destination.config.createTable"]');
    await page.fill(
      'textarea[name="destination.config.columns"]',
      JSON.stringify([
        { name: 'id', type: 'bigint' },
        { name: 'title', type: 'text' },
        { name: 'updated_at', type: 'timestamptz' },
      ]),
    );
    await page.fill('input[name=batchSize]', '20');
    const preview = JSON.parse((await page.locator('[data-testid=pipeline-json]').textContent())!);
    expect(preview).toEqual({
      name: 'products copy',
      source: { type: 'postgres', config: { connectionString: db.url, schema: 'public', table: 'products', keyColumns: ['id'], cursorColumn: 'updated_at', poolSize: 5 } },
      processors: [{ type: 'map', config: { select: ['id', 'title', 'updated_at'] } }],
      destination: {
        type: 'postgres',
        config: {
          connectionString: db.url,
          schema: 'public',
          table: 'products copy!',
          keyColumns: ['id'],
          columns: [
            { name: 'id', type: 'bigint' },
            { name: 'title', type: 'text' },
            { name: 'updated_at', type: 'timestamptz' },
          ],
          createTable: true,
          poolSize: 5,
        },
      },
      batchSize: 20,
      schedule: { type: 'manual' },
    });

    // The API refuses the table name; its error is shown next to that field, and nothing is registered.
    await page.click('button:has-text("Register pipeline")');
    await eventuallyText(page.locator('[data-field-error="destination.config.table"]'), 'destination.config.table', { contains: true });
    expect(await page.locator('[data-field-error="source.config.table"]').count()).toBe(0);
    expect((await backend.api.call<{ items: Array<{ name: string }> }>('GET', '/api/pipeline')).body.items.map((p) => p.name)).not.toContain('products copy');

    await page.fill('input[name="destination.config.table"]', 'products_copy');
    await eventuallyCount(page.locator('[data-field-error="destination.config.table"]'), 0); // an edited field's old error goes
    await screenshot(page, 'pipeline-builder');
    await page.click('button:has-text("Register pipeline")');
    await page.waitForSelector('[data-testid=pipeline-detail]');
    await page.click('button:has-text("Run now")');
    await eventuallyAttribute(page.locator('[data-testid=last-run]'), 'data-outcome', 'completed', { timeoutMs: 30_000 });
    await eventuallyText(page.locator('[data-testid=last-run]'), `written ${ROWS}`, { contains: true });
    expect(Number((await pool.query('SELECT count(*)::int AS n FROM products_copy')).rows[0].n)).toBe(ROWS);
    const pipelineId = page.url().split('/').at(-1)!;
    const status = (await backend.api.call<PipelineStatusView>('GET', `/api/pipeline/${pipelineId}/status`)).body;
    expect(status.lastRun).toMatchObject({ outcome: 'completed', written: ROWS });
    await go('#/pipelines');
    await eventuallyText(page.locator('tr[data-pipeline="products copy"] [data-col=last-run]'), 'completed', { contains: true });
    await screenshot(page, 'pipelines');
  });

  it('feeds discovery live: a service announces itself, is discovered and becomes an integration', async () => {
    await go('#/discovery');
    await page.waitForSelector('[data-testid=discovery-feed]');
    const announced = await backend.api.call('POST', '/api/services/register', {
      name: 'catalog-service',
      url: upstream.url,
      metadata: { integratable: true, openAPIEndpoint: '/openapi.json' },
    });
    expect(announced.status).toBeLessThan(300);
    await eventuallyText(page.locator('.feed li[data-kind=discovered]').first(), 'catalog-service', { contains: true, timeoutMs: 20_000 });
    await eventuallyText(page.locator('.feed li[data-kind=registered]').first(), 'catalog-service', { contains: true, timeoutMs: 20_000 });
    await eventuallyText(page.locator('[data-testid=from-discovery]'), 'catalog-service', { contains: true });
    await screenshot(page, 'discovery');
  });

  it('searches the endpoints of every integration', async () => {
    await go('#/search');
    await page.fill('input[name=q]', 'items in stock');
    const results = page.locator('[data-testid=search-results] tbody tr');
    // The endpoint index is built by a pipeline after each registration: search again until it has them.
    await waitFor(
      async () => {
        await page.click('.search button');
        await page.waitForSelector('[data-testid=search-results], .error-box, .empty', { timeout: 5000 });
        return (await results.count()) >= 2;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'search results for both integrations' },
    );
    expect(await results.first().textContent()).toContain('listItems');
    await screenshot(page, 'search');
    await go('#/integrations');
    await page.waitForSelector('tr[data-integration="catalog-service"]');
    await screenshot(page, 'integrations');
  });

  it('ran without errors in the page', () => {
    expect(pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
