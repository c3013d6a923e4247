import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import { Bus } from '@autoweave/messaging';
import { createLogger } from '@autoweave/observability';
import { startNatsServer, type NatsServerHandle } from '@autoweave/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { tmpdir } from 'node:os';
import { registerBuiltins } from '../../builtins.js';
import { StorageAdapterFactory } from '../../registry.js';
import type { CursorPosition, Item } from '../../types.js';
import { IntegrationSourceAdapter } from './integration.adapter.js';
import type { IntegrationSourceConfig } from './integration.config.js';
import { parseLinkHeader } from './pagination.js';
import { startExecuteResponder } from './testing/execute-responder.js';
import { startListApi, type ListApi } from './testing/list-api.js';

const INTEGRATION_ID = '6f1c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f';
const logger = createLogger({ service: 'storage-test', level: 'silent' });
const factory = registerBuiltins(new StorageAdapterFactory());

interface Read {
  batches: Item[][];
  positions: CursorPosition[];
}

describe('storage - integration source through integration.request.execute', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let api: ListApi;
  let responder: ReturnType<typeof startExecuteResponder>;
  let adapter: IntegrationSourceAdapter;

  /** Validated like the worker does, so schema defaults apply. */
  const configOf = (config: Record<string, unknown>): IntegrationSourceConfig =>
    factory.validateAdapterConfig('integration', 'source', { integrationId: INTEGRATION_ID, ...config }, 'source') as unknown as IntegrationSourceConfig;

  const readAll = async (config: Record<string, unknown>, batchSize: number, position?: CursorPosition): Promise<Read> => {
    const cursor = await adapter.createCursor(configOf(config), { batchSize, position });
    const out: Read = { batches: [], positions: [] };
    for await (const batch of cursor) {
      out.batches.push(batch.items);
      out.positions.push(JSON.parse(JSON.stringify(batch.position)) as CursorPosition);
    }
    await cursor.close();
    return out;
  };
  const ids = (read: Read): number[] => read.batches.flat().map((item) => item.id as number);
  const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  beforeAll(async () => {
    nats = await startNatsServer({ jetstream: false });
    nc = await connect({ servers: nats.url });
    api = await startListApi(7);
    responder = startExecuteResponder(nc, INTEGRATION_ID, api.url);
    adapter = new IntegrationSourceAdapter({ bus: new Bus(nc, logger), logger, dataDir: tmpdir() });
  });

  afterAll(async () => {
    await adapter?.close();
    responder?.stop();
    await nc?.close();
    await api?.close();
    await nats?.stop();
  });

  beforeEach(() => {
    api.rows.splice(7);
    api.requests.length = 0;
  });

  it('page: reads page by page until an empty page, and a resumed run continues with the last page', async () => {
    const config = { action: 'page', itemsPath: 'data.items', pagination: { style: 'page', pageParam: 'page', sizeParam: 'per_page' } };
    const read = await readAll(config, 3);
    expect(read.batches.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(ids(read)).toEqual(range(1, 7));
    expect(read.positions).toEqual([{ style: 'page', page: 2 }, { style: 'page', page: 3 }, { style: 'page', page: 3 }]);
    expect(api.requests).toEqual(['/page?page=1&per_page=3', '/page?page=2&per_page=3', '/page?page=3&per_page=3', '/page?page=4&per_page=3']);

    api.rows.push({ id: 8, name: 'row 8' }, { id: 9, name: 'row 9' }, { id: 10, name: 'row 10' });
    const next = await readAll(config, 3, read.positions.at(-1));
    expect(ids(next)).toEqual(range(7, 10)); // page 3 again (7, 8, 9), then page 4 (10)
  });

  it('lag: unknown unless the API reports a total; with totalPath, the items after the position', async () => {
    const config = { action: 'page', itemsPath: 'data.items', totalPath: 'data.total', pagination: { style: 'page', sizeParam: 'per_page' } };
    const cursor = await adapter.createCursor(configOf(config), { batchSize: 3 });
    expect(await cursor.lag!()).toBeUndefined(); // no page fetched yet: no total
    const lags: Array<number | undefined> = [];
    let firstPosition: CursorPosition = null;
    for await (const batch of cursor) {
      firstPosition ??= batch.position;
      lags.push(await cursor.lag!());
    }
    expect(lags).toEqual([4, 1, 0]);
    await cursor.close();

    // Resumed from page 2 of 3 rows: three items come before it.
    api.rows.push({ id: 8, name: 'row 8' });
    const resumed = await adapter.createCursor(configOf(config), { batchSize: 3, position: firstPosition });
    const batches = resumed[Symbol.asyncIterator]();
    await batches.next();
    expect(await resumed.lag!()).toBe(2);
    await resumed.close();

    const silent = await adapter.createCursor(configOf({ action: 'offset', pagination: { style: 'offset' } }), { batchSize: 2 });
    for await (const _ of silent) expect(await silent.lag!()).toBeUndefined();
    await silent.close();
  });

  it('offset: the body is the array; a stored offset resumes mid-way', async () => {
    const config = { action: 'offset', pagination: { style: 'offset' } };
    const read = await readAll(config, 2);
    expect(ids(read)).toEqual(range(1, 7));
    expect(read.positions[0]).toEqual({ style: 'offset', offset: 2 });
    const resumed = await readAll(config, 2, read.positions[1]);
    expect(ids(resumed)).toEqual(range(5, 7));
  });

  it('cursor: follows the next cursor in the body until it is null', async () => {
    const config = { action: 'cursor', itemsPath: 'items', pagination: { style: 'cursor', nextCursorPath: 'meta.next', sizeParam: 'limit' } };
    const read = await readAll(config, 3);
    expect(read.batches.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(ids(read)).toEqual(range(1, 7));
    expect(api.requests).toHaveLength(3); // no next cursor after the third page: no fourth call
    const resumed = await readAll(config, 3, read.positions[0]);
    expect(ids(resumed)).toEqual(range(4, 7));
  });

  it('cursor: or in a response header', async () => {
    const read = await readAll({ action: 'cursor-header', pagination: { style: 'cursor', nextCursorHeader: 'x-next-cursor' } }, 2);
    expect(ids(read)).toEqual(range(1, 7));
  });

  it('link: follows rel="next", passing the next URL query as parameters (numbers stay numbers)', async () => {
    const config = { action: 'link', params: { per_page: 2 }, pagination: { style: 'link' } };
    const read = await readAll(config, 100);
    expect(ids(read)).toEqual(range(1, 7));
    expect(read.positions[0]).toEqual({ style: 'link', params: { per_page: 2, page: 2 } });
    const linkCalls = responder.calls.filter((c) => c.action === 'link');
    expect(linkCalls.map((c) => c.params)).toEqual([{ per_page: 2 }, { per_page: 2, page: 2 }, { per_page: 2, page: 3 }, { per_page: 2, page: 4 }]);
    const resumed = await readAll(config, 100, read.positions[1]);
    expect(ids(resumed)).toEqual(range(5, 7));
  });

  it('none: one call, one batch', async () => {
    const read = await readAll({ action: 'all', itemsPath: 'results' }, 3);
    expect(read.batches.map((b) => b.length)).toEqual([7]);
    expect(read.positions).toEqual([null]);
  });

  it('restart: the last batch resets the position, so the next run reads everything again', async () => {
    const read = await readAll({ action: 'offset', pagination: { style: 'offset' }, afterLastPage: 'restart' }, 3);
    expect(read.positions).toEqual([{ style: 'offset', offset: 3 }, { style: 'offset', offset: 6 }, null]);
  });

  it('stops at maxPages and leaves the position at the next page', async () => {
    const read = await readAll({ action: 'offset', pagination: { style: 'offset', maxPages: 2 } }, 2);
    expect(ids(read)).toEqual(range(1, 4));
    expect(read.positions.at(-1)).toEqual({ style: 'offset', offset: 4 });
  });

  it('fails clearly when the API ignores the paging parameters, and passes upstream errors on with their code', async () => {
    await expect(readAll({ action: 'stuck', pagination: { style: 'page' } }, 2)).rejects.toMatchObject({ code: 'UPSTREAM', message: expect.stringMatching(/same page twice/) });
    const error = (await readAll({ action: 'broken' }, 2).catch((e: unknown) => e)) as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('UPSTREAM');
    expect((error.details as { status: number }).status).toBe(500);
    await expect(readAll({ action: 'offset', itemsPath: 'nope.items', pagination: { style: 'offset' } }, 2)).resolves.toEqual({ batches: [], positions: [] });
    await expect(readAll({ action: 'page', pagination: { style: 'page' } }, 2)).rejects.toMatchObject({ code: 'UPSTREAM', details: { field: 'itemsPath' } });
  });

  it('checks health through the hub without calling the upstream', async () => {
    expect(await adapter.healthCheck(configOf({ action: 'page' }))).toMatchObject({ ok: true });
    expect(await adapter.healthCheck(configOf({ integrationId: '6f1c1d2e-3b4a-4c5d-8e6f-000000000000', action: 'page' }))).toMatchObject({ ok: false });
    expect(api.requests).toEqual([]);
  });

  it.each([
    ['no integration id', { action: 'x' }, 'source.config.integrationId'],
    ['an integration id that is not a UUID', { integrationId: 'abc', action: 'x' }, 'source.config.integrationId'],
    ['an unknown pagination style', { integrationId: INTEGRATION_ID, action: 'x', pagination: { style: 'pages' } }, 'source.config.pagination.style'],
    ['cursor pagination without a next cursor path', { integrationId: INTEGRATION_ID, action: 'x', pagination: { style: 'cursor' } }, 'source.config.pagination.nextCursorPath'],
    ['a bad items path', { integrationId: INTEGRATION_ID, action: 'x', itemsPath: 'data..items' }, 'source.config.itemsPath'],
  ])('refuses a config with %s', (_, config, field) => {
    let error: AppError | undefined;
    try {
      factory.validateAdapterConfig('integration', 'source', config, 'source');
    } catch (err) {
      error = err as AppError;
    }
    expect(error).toMatchObject({ code: 'VALIDATION', details: { field } });
  });

  it('cannot be a destination', () => {
    expect(() => factory.validateAdapterConfig('integration', 'destination', { integrationId: INTEGRATION_ID, action: 'x' }, 'destination')).toThrow(/cannot be a destination/);
  });

  it('parses Link headers', () => {
    expect(parseLinkHeader('<https://a/x?page=2>; rel="next", <https://a/x?page=9>; rel=last, <https://a/p>; rel="prev first"')).toEqual({
      next: 'https://a/x?page=2',
      last: 'https://a/x?page=9',
      prev: 'https://a/p',
      first: 'https://a/p',
    });
    expect(parseLinkHeader(undefined)).toEqual({});
  });
});
