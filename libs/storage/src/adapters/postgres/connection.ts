import type { Logger } from '@autoweave/observability';
import pg from 'pg';

/**
 * Hides credentials in anything that may carry a connection string (an error
 * message, a log line): `postgres://ann:s3cret@db/x` -> `postgres://ann:***@db/x`,
 * `password=s3cret` -> `password=***`.
 */
export function maskSecrets(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:@/\s]*:)[^@\s]*@/gi, '$1***@')
    .replace(/(password\s*=\s*)[^\s&;]+/gi, '$1***');
}

/**
 * Runs `work` on one pooled client inside `BEGIN <mode>` ... `COMMIT`, rolling
 * back on error; a client whose rollback failed is discarded, not reused.
 */
export async function inTransaction<T>(pool: pg.Pool, begin: 'BEGIN' | 'BEGIN READ ONLY', work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.release(broken);
  }
}

/** host:port/database, for logs: never the user or password. */
export function describeConnection(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'postgres (unparsable connection string)';
  }
}

/**
 * Items are JSON, so values that pg would turn into JS objects that lose
 * information are kept as their exact text instead: timestamps keep their
 * microseconds (as ISO 8601 with a `T`), dates stay dates (pg would make a
 * local-midnight Date of them), intervals and bytea stay text. bigint and
 * numeric are strings already (pg's default), so nothing loses digits.
 */
const TEXT_KEPT: Record<number, (text: string) => unknown> = {
  1114: isoTimestamp, // timestamp
  1184: isoTimestamp, // timestamptz
  1082: (text) => text, // date
  1083: (text) => text, // time
  1266: (text) => text, // timetz
  1186: (text) => text, // interval
  17: (text) => text, // bytea as \x hex, which PostgreSQL reads back as bytea
};

const DASH = 45;
const PLUS = 43;
const SPACE = 32;

/**
 * `2024-03-01 10:00:00.123456+00` -> `2024-03-01T10:00:00.123456+00:00`; text
 * that does not start as `YYYY-MM-DD H` (infinity, years past 9999) stays as
 * PostgreSQL wrote it. Runs for every timestamp read, so it looks at
 * characters rather than running regular expressions.
 */
export function isoTimestamp(text: string): string {
  const n = text.length;
  if (
    n < 12 ||
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    text.charCodeAt(10) !== SPACE ||
    !digitAt(text, 0) ||
    !digitAt(text, 1) ||
    !digitAt(text, 2) ||
    !digitAt(text, 3) ||
    !digitAt(text, 5) ||
    !digitAt(text, 6) ||
    !digitAt(text, 8) ||
    !digitAt(text, 9) ||
    !digitAt(text, 11)
  ) {
    return text;
  }
  const sign = text.charCodeAt(n - 3);
  // An offset of whole hours (`+00`) gets its minutes, as ISO 8601 wants them.
  const hoursOnly = (sign === PLUS || sign === DASH) && digitAt(text, n - 2) && digitAt(text, n - 1);
  return `${text.slice(0, 10)}T${text.slice(11)}${hoursOnly ? ':00' : ''}`;
}

function digitAt(text: string, index: number): boolean {
  const c = text.charCodeAt(index);
  return c >= 48 && c <= 57;
}

const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    const kept = format !== 'binary' ? TEXT_KEPT[oid] : undefined;
    return kept ?? (pg.types.getTypeParser(oid, format as 'text') as (value: string) => unknown);
  },
};

interface SharedPool {
  pool: pg.Pool;
  refs: number;
}

/**
 * One pool per connection string for the whole process, shared by every
 * adapter instance (stages of all pipelines that use the same database):
 * refcounted, ended when the last user releases it.
 */
class PoolRegistry {
  private readonly pools = new Map<string, SharedPool>();

  acquire(connectionString: string, size: number, logger: Logger): pg.Pool {
    const shared = this.pools.get(connectionString);
    if (shared) {
      shared.refs += 1;
      return shared.pool;
    }
    const pool = new pg.Pool({
      connectionString,
      max: size,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 10_000,
      application_name: 'autoweave',
      types: typeParsers,
    } as pg.PoolConfig);
    const where = describeConnection(connectionString);
    // An idle client that loses its connection emits here; unhandled it would crash the process.
    pool.on('error', (err) => logger.warn({ database: where, err: maskSecrets(err.message) }, 'idle PostgreSQL connection failed'));
    this.pools.set(connectionString, { pool, refs: 1 });
    logger.debug({ database: where }, 'PostgreSQL pool created');
    return pool;
  }

  async release(connectionString: string): Promise<void> {
    const shared = this.pools.get(connectionString);
    if (!shared) return;
    shared.refs -= 1;
    if (shared.refs > 0) return;
    this.pools.delete(connectionString);
    await shared.pool.end().catch(() => undefined);
  }

  /** How many pools are open (tests check that close releases them). */
  get size(): number {
    return this.pools.size;
  }
}

export const postgresPools = new PoolRegistry();
