import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import { createLogger } from '@autoweave/observability';
import { createTestDatabase, type TestDatabase } from '@autoweave/testing';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { registerBuiltins } from '../../builtins.js';
import { StorageAdapterFactory } from '../../registry.js';
import type { CursorPosition, Item, StorageContext } from '../../types.js';
import { postgresPools } from './connection.js';
import { PostgresAdapter } from './postgres.adapter.js';
import type { PostgresConfig } from './postgres.config.js';

const context: StorageContext = { logger: createLogger({ service: 'storage-test', level: 'silent' }), dataDir: tmpdir() };
const factory = registerBuiltins(new StorageAdapterFactory());

interface Read {
  batches: Item[][];
  positions: CursorPosition[];
}

async function readAll(adapter: PostgresAdapter, config: Partial<PostgresConfig>, batchSize: number, position?: CursorPosition): Promise<Read> {
  const cursor = await adapter.createCursor(config as PostgresConfig, { batchSize, position });
  const out: Read = { batches: [], positions: [] };
  try {
    for await (const batch of cursor) {
      out.batches.push(batch.items);
      // Positions are stored as JSON in KV: what comes back is what was serialised.
      out.positions.push(JSON.parse(JSON.stringify(batch.position)) as CursorPosition);
    }
  } finally {
    await cursor.close();
  }
  return out;
}

/** PostgreSQL's text form of a timestamptz in UTC -> the ISO 8601 form items and positions carry. */
const iso = (text: string): string => text.replace(' ', 'T').replace(/\+00$/, '+00:00');
const ids = (read: Read): string[] => read.batches.flat().map((item) => String(item.id));

/** Expects a VALIDATION AppError whose details name `field`. */
async function expectValidation(action: () => unknown, field: string): Promise<AppError> {
  let caught: unknown;
  try {
    await action();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AppError);
  const error = caught as AppError;
  expect(error.code).toBe('VALIDATION');
  expect((error.details as { field?: string }).field).toBe(field);
  return error;
}

describe('storage - postgres adapter against a real PostgreSQL', () => {
  let db: TestDatabase;
  let sql: pg.Client;
  let adapter: PostgresAdapter;
  let base: { connectionString: string };

  const T0 = '2024-03-01 10:00:00.123456+00';
  const T1 = '2024-03-01 10:00:00.123457+00'; // one microsecond later: a millisecond Date would merge the two
  const T2 = '2024-03-02 08:30:00.000001+00';

  beforeAll(async () => {
    db = await createTestDatabase('autoweave_storage');
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    await sql.query(`
      CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL);
      CREATE TABLE victim (id int);
      INSERT INTO victim VALUES (1);
    `);
    // ids 1..7 share T0 (a tie across every batch boundary at batchSize 3), 8..10 share T1.
    for (let id = 1; id <= 10; id++) await sql.query('INSERT INTO users VALUES ($1, $2, $3)', [id, `user ${id}`, id <= 7 ? T0 : T1]);
    adapter = new PostgresAdapter(context);
    base = { connectionString: db.url };
  });

  afterAll(async () => {
    await adapter?.close();
    await sql?.end();
    await db?.drop();
  });

  describe('source, incremental', () => {
    const config = (): Partial<PostgresConfig> => ({ ...base, table: 'users', keyColumns: ['id'], cursorColumn: 'updated_at' });

    it('reads every row once, in (cursor, key) order, with ties on the cursor column across batch boundaries', async () => {
      const read = await readAll(adapter, config(), 3);
      expect(read.batches.map((b) => b.length)).toEqual([3, 3, 3, 1]);
      expect(ids(read)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
      expect(read.positions[0]).toEqual({ cursor: iso(T0), keys: ['3'] });
      expect(read.positions[3]).toEqual({ cursor: iso(T1), keys: ['10'] });
      // Timestamps keep their microseconds in the items too.
      expect(read.batches[3]![0]!.updated_at).toBe('2024-03-01T10:00:00.123457+00:00');
    });

    it('resumes from a stored position without repeating or skipping a row', async () => {
      const first = await readAll(adapter, config(), 3);
      const resumed = await readAll(adapter, config(), 3, first.positions[1]);
      expect(ids(resumed)).toEqual(['7', '8', '9', '10']);
    });

    it('picks up inserts and updates between runs, including a new row that ties with the stored cursor value', async () => {
      const first = await readAll(adapter, config(), 4);
      const stored = first.positions.at(-1)!;
      await sql.query('UPDATE users SET name = $1, updated_at = $2 WHERE id = 2', ['user two, renamed', T2]);
      await sql.query('INSERT INTO users VALUES (11, $1, $2), (12, $3, $4)', ['user 11', T2, 'user 12', T1]);
      const second = await readAll(adapter, config(), 4, stored);
      // (T1, 12) comes after the stored (T1, 10); then the T2 rows by key.
      expect(ids(second)).toEqual(['12', '2', '11']);
      expect(second.batches.flat().find((item) => item.id === '2')!.name).toBe('user two, renamed');
      const third = await readAll(adapter, config(), 4, second.positions.at(-1));
      expect(third.batches).toEqual([]);
    });

    it('reads a selection of columns, and a query source as a subquery with the same keyset logic', async () => {
      const selected = await readAll(adapter, { ...config(), columns: ['id', 'name'] }, 50);
      expect(Object.keys(selected.batches[0]![0]!).sort()).toEqual(['id', 'name']);

      const query = { ...base, query: "SELECT id, upper(name) AS name, updated_at FROM users WHERE id <> 5;", keyColumns: ['id'], cursorColumn: 'updated_at' };
      const first = await readAll(adapter, query, 2);
      expect(ids(first)).not.toContain('5');
      expect(first.batches[0]![0]!.name).toBe('USER 1');
      const resumed = await readAll(adapter, query, 2, first.positions[1]);
      expect(ids(resumed)).toEqual(ids(first).slice(4));
    });

    it('keeps bigint keys beyond 2^53 and composite keys exact in the position', async () => {
      await sql.query(`CREATE TABLE events (tenant text, seq bigint, at timestamptz NOT NULL, PRIMARY KEY (tenant, seq))`);
      const big = ['9007199254740993', '9007199254740994', '9007199254740995'];
      for (const seq of big) await sql.query('INSERT INTO events VALUES ($1, $2, $3)', ['acme', seq, T0]);
      const events = { ...base, table: 'events', keyColumns: ['tenant', 'seq'], cursorColumn: 'at' };
      const first = await readAll(adapter, events, 1);
      expect(first.positions[0]).toEqual({ cursor: iso(T0), keys: ['acme', big[0]] });
      const resumed = await readAll(adapter, events, 1, first.positions[0]);
      expect(resumed.batches.flat().map((e) => e.seq)).toEqual(big.slice(1));
    });

    it('resumes exactly on float and numeric cursor columns, one row per batch', async () => {
      await sql.query('CREATE TABLE measures (id int PRIMARY KEY, score double precision NOT NULL, amount numeric NOT NULL)');
      const scores = [0.1, 0.30000000000000004, 0.3, 1e-7, 123456.789, 0.1];
      for (const [i, score] of scores.entries()) await sql.query('INSERT INTO measures VALUES ($1, $2, $3)', [i + 1, score, `${i}.000000000000000000001`]);
      for (const cursorColumn of ['score', 'amount']) {
        const config = { ...base, table: 'measures', keyColumns: ['id'], cursorColumn };
        const seen: number[] = [];
        let position: CursorPosition | undefined;
        for (;;) {
          const read = await readAll(adapter, config, 1, position);
          if (read.batches.length === 0) break;
          seen.push(read.batches[0]![0]!.id as number);
          position = read.positions[0]; // one batch per run: every position is stored and resumed from
          if (seen.length > scores.length) break;
        }
        const expected = (await sql.query<{ id: number }>(`SELECT id FROM measures ORDER BY ${cursorColumn}, id`)).rows.map((r) => r.id);
        expect(seen).toEqual(expected);
      }
    });

    it('runs a query source read-only: a query that would write fails and changes nothing', async () => {
      await sql.query(`CREATE FUNCTION bump() RETURNS int LANGUAGE sql AS 'INSERT INTO victim VALUES (2) RETURNING id'`);
      const writing = { ...base, query: 'SELECT 1 AS id, bump() AS x', keyColumns: ['id'] };
      const error = await readAll(adapter, writing, 10).catch((e: unknown) => e as AppError);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).message).toMatch(/read-only/);
      const stacked = { ...base, query: 'SELECT * FROM users; DROP TABLE victim', keyColumns: ['id'] };
      await expect(readAll(adapter, stacked, 10)).rejects.toMatchObject({ code: 'VALIDATION' });
      expect((await sql.query('SELECT id FROM victim')).rows).toEqual([{ id: 1 }]);
    });
  });

  describe('source, full refresh', () => {
    const config = { table: 'users', keyColumns: ['id'], mode: 'full' as const };

    it('reads everything in key order and ends with position null, so the next run starts over', async () => {
      const read = await readAll(adapter, { ...base, ...config }, 5);
      const all = (await sql.query<{ id: string }>('SELECT id FROM users ORDER BY id')).rows.map((r) => r.id);
      expect(ids(read)).toEqual(all);
      expect(read.positions.slice(0, -1).every((p) => p !== null)).toBe(true);
      expect(read.positions.at(-1)).toBeNull();
    });

    it('resumes a run that was cut off, and a run resumed past the end only resets the position', async () => {
      const resumed = await readAll(adapter, { ...base, ...config }, 5, { keys: ['8'] });
      expect(ids(resumed)).toEqual(['9', '10', '11', '12']);
      expect(resumed.positions).toEqual([null]);
      const past = await readAll(adapter, { ...base, ...config }, 5, { keys: ['999'] });
      expect(past.batches).toEqual([[]]);
      expect(past.positions).toEqual([null]);
    });
  });

  describe('source, lag', () => {
    const lagging = (extra: Partial<PostgresConfig> = {}): PostgresConfig => ({ ...base, table: 'lagging', keyColumns: ['id'], cursorColumn: 'at', ...extra }) as PostgresConfig;

    /** Lag before reading, after each batch, and once the read has ended. */
    const lagsOf = async (config: PostgresConfig, batchSize: number, position?: CursorPosition): Promise<number[]> => {
      const cursor = await adapter.createCursor(config, { batchSize, position });
      const lags = [(await cursor.lag!())!];
      for await (const _ of cursor) lags.push((await cursor.lag!())!);
      lags.push((await cursor.lag!())!);
      await cursor.close();
      return lags;
    };

    beforeAll(async () => {
      // ids 1..4 share T0, 5..7 have T1; id 8 has no cursor value (never read incrementally, never counted).
      await sql.query('CREATE TABLE lagging (id int PRIMARY KEY, at timestamptz)');
      for (let id = 1; id <= 7; id++) await sql.query('INSERT INTO lagging VALUES ($1, $2)', [id, id <= 4 ? T0 : T1]);
      await sql.query('INSERT INTO lagging VALUES (8, NULL)');
    });

    it('incremental: the rows after the (cursor, key) position, down to 0 at the end', async () => {
      expect(await lagsOf(lagging(), 3)).toEqual([7, 4, 1, 0, 0]);
      const cursor = await adapter.createCursor(lagging(), { batchSize: 3, position: { cursor: iso(T0), keys: ['2'] } });
      expect(await cursor.lag!()).toBe(5); // ties on T0 after key 2 count
      await sql.query('INSERT INTO lagging VALUES (9, $1), (10, $2)', [T2, T0]);
      expect(await cursor.lag!()).toBe(7); // 10 ties on T0 after key 2; 9 is later
      for await (const _ of cursor);
      expect(await cursor.lag!()).toBe(0);
      await sql.query('INSERT INTO lagging VALUES (11, $1)', [T2]);
      expect(await cursor.lag!()).toBe(1); // arrived after the read ended: the next run's work
      await sql.query('DELETE FROM lagging WHERE id >= 9');
    });

    it('full refresh: the rows after the key; a query source counts read-only', async () => {
      expect(await lagsOf(lagging({ cursorColumn: undefined, mode: 'full' }), 3)).toEqual([8, 5, 2, 0, 0]);
      const query = { ...base, query: 'SELECT id, at FROM lagging WHERE id <> 3', keyColumns: ['id'], cursorColumn: 'at' } as PostgresConfig;
      expect(await lagsOf(query, 4)).toEqual([6, 2, 0, 0]);
    });
  });

  describe('destination', () => {
    const destination = (table: string): Partial<PostgresConfig> => ({
      ...base,
      table,
      keyColumns: ['id'],
      createTable: true,
      columns: [
        { name: 'id', type: 'bigint' },
        { name: 'name', type: 'text', nullable: false },
        { name: 'tags', type: 'jsonb' },
        { name: 'updated_at', type: 'timestamptz' },
      ],
    });
    const rows = async (table: string): Promise<Array<Record<string, unknown>>> =>
      (await sql.query(`SELECT id::text, name, tags, updated_at::text FROM ${table} ORDER BY id`)).rows;

    it('creates the table on demand and upserts idempotently: the same batch twice leaves the same rows', async () => {
      const batch = [
        { id: 1, name: 'a', tags: ['x', 'y'], updated_at: '2024-03-01T10:00:00.123456+00:00', extra: 'ignored' },
        { id: 2, name: 'b', tags: { nested: true } },
      ];
      const dest = destination('copy_once');
      expect(await adapter.writeBatch(batch, dest as PostgresConfig)).toEqual({ written: 2 });
      const once = await rows('copy_once');
      expect(await adapter.writeBatch(batch, dest as PostgresConfig)).toEqual({ written: 2 });
      expect(await rows('copy_once')).toEqual(once);
      expect(once).toEqual([
        { id: '1', name: 'a', tags: ['x', 'y'], updated_at: '2024-03-01 10:00:00.123456+00' },
        { id: '2', name: 'b', tags: { nested: true }, updated_at: null },
      ]);
      await adapter.writeBatch([{ id: 2, name: 'b2', tags: null }], dest as PostgresConfig);
      expect((await rows('copy_once'))[1]).toEqual({ id: '2', name: 'b2', tags: null, updated_at: null });
    });

    it('keeps the last item of a key that appears twice in one batch', async () => {
      const dest = destination('copy_dupes') as PostgresConfig;
      expect(await adapter.writeBatch([{ id: 1, name: 'first' }, { id: 1, name: 'second' }], dest)).toEqual({ written: 1 });
      expect((await rows('copy_dupes')).map((r) => r.name)).toEqual(['second']);
    });

    it('splits a batch over the parameter limit into several statements of one transaction', async () => {
      const dest = destination('copy_big') as PostgresConfig;
      const big = Array.from({ length: 20_000 }, (_, i) => ({ id: i + 1, name: `n${i}`, tags: [i], updated_at: T0 })); // 80,000 parameters
      expect(await adapter.writeBatch(big, dest)).toEqual({ written: 20_000 });
      expect((await sql.query('SELECT count(*)::int AS n FROM copy_big')).rows[0].n).toBe(20_000);

      // The last statement fails (NOT NULL name): the rows of the statements before it are rolled back too.
      const poisoned = Array.from({ length: 20_000 }, (_, i) => ({ id: 100_000 + i, name: i === 19_999 ? null : 'ok', tags: [] }));
      await expect(adapter.writeBatch(poisoned, dest)).rejects.toMatchObject({ code: 'VALIDATION' });
      expect((await sql.query('SELECT count(*)::int AS n FROM copy_big')).rows[0].n).toBe(20_000);
    });

    it('copies a source into a destination exactly (microsecond timestamps, big integers)', async () => {
      const dest = destination('users_copy') as PostgresConfig;
      const read = await readAll(adapter, { ...base, table: 'users', keyColumns: ['id'], cursorColumn: 'updated_at' }, 4);
      for (const batch of read.batches) await adapter.writeBatch(batch, dest);
      const diff = await sql.query(`
        SELECT id FROM users FULL JOIN users_copy c USING (id)
        WHERE users.name IS DISTINCT FROM c.name OR users.updated_at IS DISTINCT FROM c.updated_at`);
      expect(diff.rows).toEqual([]);
      expect((await sql.query('SELECT count(*)::int AS n FROM users_copy')).rows[0].n).toBe(12);
    });

    it('writes any text exactly, keeps the column types and their checks, whatever form the values go in', async () => {
      await sql.query(`
        CREATE TYPE mood AS ENUM ('ok', 'sad');
        CREATE DOMAIN positive AS int CHECK (VALUE > 0);
        CREATE TABLE tricky (id text PRIMARY KEY, note text, short varchar(3), n positive, f double precision, b boolean, m mood, doc json, raw bytea, at timestamptz)`);
      const dest = { ...base, table: 'tricky', keyColumns: ['id'] } as PostgresConfig;
      // What an array literal would misread unless quoted and escaped.
      const notes = ['', ' ', 'NULL', 'null', 'a,b', '{x}', '}', '"', 'say "hi"', 'back\\slash', '\\"', 'tab\there\nline', '  padded  ', 'ünï€ 😀'];
      const batch: Item[] = notes.map((note, i) => ({ id: `k${i}${note}`, note, short: 'abc', n: i + 1, f: i / 3, b: i % 2 === 0, m: i % 2 ? 'ok' : 'sad', doc: { note, i }, raw: '\\x6869', at: T0 }));
      batch.push({ id: 'nulls', note: null, short: null, n: null, f: null, b: null, m: null, doc: null, raw: null, at: null });
      expect(await adapter.writeBatch(batch, dest)).toEqual({ written: batch.length });
      // A Date goes as pg encodes it (a parameter per value).
      expect(await adapter.writeBatch([{ id: 'dated', note: 'x', at: new Date('2024-03-01T10:00:00.123Z') }], dest)).toEqual({ written: 1 });

      const stored = new Map((await sql.query('SELECT * FROM tricky')).rows.map((r) => [r.id as string, r]));
      expect(stored.size).toBe(batch.length + 1);
      for (const item of batch) {
        const row = stored.get(item.id as string)!;
        expect({ ...row, raw: row.raw === null ? null : (row.raw as Buffer).toString(), at: row.at === null ? null : (row.at as Date).toISOString() }).toEqual({
          ...item,
          raw: item.raw === null ? null : 'hi',
          at: item.at === null ? null : '2024-03-01T10:00:00.123Z',
        });
      }
      expect((stored.get('dated')!.at as Date).toISOString()).toBe('2024-03-01T10:00:00.123Z');

      // The column types still check the values, and a refused batch writes nothing.
      for (const bad of [{ short: 'abcd' }, { n: 0 }, { m: 'happy' }, { f: 'not a number' }]) {
        await expect(adapter.writeBatch([{ id: 'k0', note: 'changed' }, { id: 'new', ...bad }], dest)).rejects.toMatchObject({ code: 'VALIDATION' });
      }
      expect(stored.get('k0')!.note).toBe('');
      expect((await sql.query(`SELECT note FROM tricky WHERE id = 'k0'`)).rows).toEqual([{ note: '' }]);
      expect((await sql.query(`SELECT count(*)::int AS n FROM tricky WHERE id = 'new'`)).rows[0].n).toBe(0);
    });

    it('writes to an existing table (quoted mixed-case and reserved names) and refuses one that is missing or has no key', async () => {
      await sql.query('CREATE TABLE "Order" ("select" text PRIMARY KEY, "Total" numeric)');
      const existing = { ...base, table: 'Order', keyColumns: ['select'] } as PostgresConfig;
      await adapter.writeBatch([{ select: 'a', Total: '12.50' }], existing);
      await adapter.writeBatch([{ select: 'a', Total: '13.75' }], existing);
      expect((await sql.query('SELECT * FROM "Order"')).rows).toEqual([{ select: 'a', Total: '13.75' }]);

      await expectValidation(() => adapter.writeBatch([{ id: 1 }], { ...base, table: 'missing', keyColumns: ['id'] } as PostgresConfig), 'table');
      await sql.query('CREATE TABLE nokey (id int, name text)');
      await expectValidation(() => adapter.writeBatch([{ id: 1, name: 'x' }], { ...base, table: 'nokey', keyColumns: ['id'] } as PostgresConfig), 'keyColumns');
      await expectValidation(() => adapter.writeBatch([{ name: 'no id' }], existing), 'select');
    });
  });

  describe('identifiers and config', () => {
    const source = { connectionString: 'postgres://u:p@127.0.0.1:5432/db', table: 'users', keyColumns: ['id'], cursorColumn: 'updated_at' };
    const dest = { connectionString: 'postgres://u:p@127.0.0.1:5432/db', table: 'out', keyColumns: ['id'], createTable: true, columns: [{ name: 'id', type: 'bigint' }] };

    it.each([
      ['table', { ...source, table: 'users; drop table victim' }, 'source.config.table'],
      ['schema', { ...source, schema: 'public"; drop table victim; --' }, 'source.config.schema'],
      ['quoted column', { ...source, columns: ['"a"" or 1=1'] }, 'source.config.columns.0'],
      ['key column', { ...source, keyColumns: ['id) > (0); drop table victim; --'] }, 'source.config.keyColumns.0'],
      ['cursor column', { ...source, cursorColumn: 'updated_at desc' }, 'source.config.cursorColumn'],
    ])('refuses an injection through the %s, naming the field', async (_, config, field) => {
      await expectValidation(() => factory.validateAdapterConfig('postgres', 'source', config, 'source'), field);
    });

    it.each([
      ['column type', { ...dest, columns: [{ name: 'id', type: 'bigint); drop table victim; --' }] }, 'destination.config.columns.0.type'],
      ['column name', { ...dest, columns: [{ name: 'id"; --', type: 'bigint' }] }, 'destination.config.columns.0.name'],
    ])('refuses an injection through the destination %s, naming the field', async (_, config, field) => {
      await expectValidation(() => factory.validateAdapterConfig('postgres', 'destination', config, 'destination'), field);
    });

    it('refuses injections even when the adapter is called with a config that skipped validation', async () => {
      await expectValidation(() => adapter.createCursor({ ...base, table: 'users; drop table victim', keyColumns: ['id'] } as PostgresConfig, { batchSize: 10 }), 'config.table');
      await expectValidation(
        () => adapter.writeBatch([{ id: 1 }], { ...base, table: 'x', keyColumns: ['id'], createTable: true, columns: [{ name: 'id', type: 'int); drop table victim; --' }] } as PostgresConfig),
        'config.columns.0.type',
      );
      expect((await sql.query('SELECT id FROM victim')).rows).toEqual([{ id: 1 }]);
    });

    it.each([
      ['no key columns', 'source', { ...source, keyColumns: [] }, 'source.config.keyColumns'],
      ['no connection string', 'source', { table: 'users', keyColumns: ['id'] }, 'source.config.connectionString'],
      ['not a postgres URL', 'source', { ...source, connectionString: 'mysql://x' }, 'source.config.connectionString'],
      ['an unparsable URL', 'source', { ...source, connectionString: 'postgres://ann:pw@[bad/x' }, 'source.config.connectionString'],
      ['an unknown field', 'source', { ...source, tabel: 'users' }, 'source.config.tabel'],
      ['neither table nor query', 'source', { connectionString: source.connectionString, keyColumns: ['id'] }, 'source.config.table'],
      ['table and query', 'source', { ...source, query: 'SELECT 1' }, 'source.config.query'],
      ['incremental without cursor column', 'source', { ...source, cursorColumn: undefined, mode: 'incremental' }, 'source.config.cursorColumn'],
      ['a query as destination', 'destination', { ...dest, table: undefined, query: 'SELECT 1' }, 'destination.config.query'],
      ['createTable with untyped columns', 'destination', { ...dest, columns: ['id'] }, 'destination.config.columns.0'],
      ['createTable with a key outside the columns', 'destination', { ...dest, keyColumns: ['other'] }, 'destination.config.keyColumns'],
      ['a bad pool size', 'destination', { ...dest, poolSize: 0 }, 'destination.config.poolSize'],
    ])('refuses a config with %s', async (_, role, config, field) => {
      await expectValidation(() => factory.validateAdapterConfig('postgres', role as 'source', config, role), field);
    });

    it('fills defaults for a valid config', () => {
      const checked = factory.validateAdapterConfig('postgres', 'source', source, 'source');
      expect(checked).toMatchObject({ schema: 'public', createTable: false, poolSize: 5 });
    });
  });

  describe('connections', () => {
    it('checks health with select 1', async () => {
      const health = await adapter.healthCheck(base as PostgresConfig);
      expect(health.ok).toBe(true);
      expect(typeof health.latencyMs).toBe('number');
    });

    it('never shows the password of a connection string in errors', async () => {
      const down = { connectionString: 'postgres://ann:hunter2secret@127.0.0.1:1/nope', table: 'users', keyColumns: ['id'] } as PostgresConfig;
      const other = new PostgresAdapter(context);
      try {
        const health = await other.healthCheck(down);
        expect(health.ok).toBe(false);
        expect(health.error).not.toContain('hunter2secret');
        const error = (await readAll(other, down, 10).catch((e: unknown) => e)) as AppError;
        expect(error.code).toBe('UNAVAILABLE');
        expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('hunter2secret');
      } finally {
        await other.close();
      }
    });

    it('shares one pool per connection string between adapter instances, released when the last closes', async () => {
      const before = postgresPools.size;
      const a = new PostgresAdapter(context);
      const b = new PostgresAdapter(context);
      const separate = { ...base, connectionString: `${db.url}?application_name=shared` } as PostgresConfig;
      await a.healthCheck(separate);
      await b.healthCheck(separate);
      expect(postgresPools.size).toBe(before + 1);
      await a.close();
      expect((await b.healthCheck(separate)).ok).toBe(true);
      await b.close();
      expect(postgresPools.size).toBe(before);
    });
  });
});
