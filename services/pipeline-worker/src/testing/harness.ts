/*
 * Test support (not part of the build): a NATS client that speaks the
 * envelope protocol and records pipeline events, and PostgreSQL helpers for
 * source and destination tables.
 */
import { randomBytes } from 'node:crypto';
import { PIPELINE_EVENTS, type Envelope, type ErrorBody, type PipelineDataWrittenEvent, type PipelineExecutionEvent } from '@autoweave/contracts';
import { testPool } from '@autoweave/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type pg from 'pg';

export const SECRET_KEY = randomBytes(32).toString('base64');

/** Environment of a worker under test: short lease and tick so takeovers and schedules happen quickly. */
export function workerEnv(natsUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NATS_URL: natsUrl,
    AUTOWEAVE_SECRET_KEY: SECRET_KEY,
    AUTOWEAVE_HEALTH_PORT: '0',
    LOG_LEVEL: 'silent',
    AUTOWEAVE_PIPELINE_LEASE_TTL_MS: '3000',
    AUTOWEAVE_PIPELINE_TICK_MS: '100',
    AUTOWEAVE_PIPELINE_EVENT_DEBOUNCE_MS: '100',
    ...extra,
  };
}

/** A bus client for tests: requests with envelopes, and every pipeline event seen. */
export class TestClient {
  readonly started: PipelineExecutionEvent[] = [];
  readonly completed: PipelineExecutionEvent[] = [];
  readonly failed: PipelineExecutionEvent[] = [];
  readonly written: PipelineDataWrittenEvent[] = [];

  private constructor(readonly nc: NatsConnection) {}

  static async connect(url: string): Promise<TestClient> {
    const client = new TestClient(await connect({ servers: url }));
    const listen = (subject: string, into: unknown[]): void => {
      const sub = client.nc.subscribe(subject);
      void (async () => {
        for await (const m of sub) into.push(m.json());
      })();
    };
    listen(PIPELINE_EVENTS.executionStarted, client.started);
    listen(PIPELINE_EVENTS.executionCompleted, client.completed);
    listen(PIPELINE_EVENTS.executionFailed, client.failed);
    listen(PIPELINE_EVENTS.dataWritten, client.written);
    await client.nc.flush();
    return client;
  }

  async ask<T>(subject: string, payload: unknown, timeout = 10_000): Promise<Envelope<T>> {
    const reply = await this.nc.request(subject, JSON.stringify(payload), { timeout });
    return JSON.parse(new TextDecoder().decode(reply.data)) as Envelope<T>;
  }

  async ok<T>(subject: string, payload: unknown, timeout?: number): Promise<T> {
    const reply = await this.ask<T>(subject, payload, timeout);
    if (!reply.ok) throw new Error(`${subject} failed: ${JSON.stringify(reply.error)}`);
    return reply.data;
  }

  async error(subject: string, payload: unknown): Promise<ErrorBody> {
    const reply = await this.ask(subject, payload);
    if (reply.ok) throw new Error(`${subject} unexpectedly succeeded: ${JSON.stringify(reply.data)}`);
    return reply.error;
  }

  /** The end event (completed or failed) of a run. */
  endOf(runId: string): PipelineExecutionEvent | undefined {
    return [...this.completed, ...this.failed].find((e) => e.run.runId === runId);
  }

  endsOf(pipelineId: string): PipelineExecutionEvent[] {
    return [...this.completed, ...this.failed].filter((e) => e.pipelineId === pipelineId);
  }

  close(): Promise<void> {
    return this.nc.close();
  }
}

/** A pool on a test database with the helpers the pipeline tests need. */
export class TestTables {
  readonly pool: pg.Pool;

  constructor(readonly url: string) {
    this.pool = testPool(url, 4);
  }

  /** `<name>(id bigint primary key, name text, score int, updated_at timestamptz)`. */
  async createSource(name: string): Promise<void> {
    await this.pool.query(`CREATE TABLE ${name} (id bigint PRIMARY KEY, name text NOT NULL, score int, updated_at timestamptz NOT NULL DEFAULT now())`);
  }

  async createDestination(name: string): Promise<void> {
    await this.pool.query(`CREATE TABLE ${name} (id bigint PRIMARY KEY, name text NOT NULL, score int, updated_at timestamptz NOT NULL)`);
  }

  /** Inserts rows `from..to` (inclusive), all with the same updated_at (ties on the cursor column). */
  async insertRows(table: string, from: number, to: number): Promise<void> {
    await this.pool.query(`INSERT INTO ${table} (id, name, score) SELECT g, 'row-' || g, g % 100 FROM generate_series($1::bigint, $2::bigint) g`, [from, to]);
  }

  async count(table: string): Promise<number> {
    return Number((await this.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);
  }

  /** Rows of `source` missing from, or different in, `destination`. */
  async differences(source: string, destination: string): Promise<number> {
    const { rows } = await this.pool.query(
      `SELECT count(*)::int AS n FROM ${source} s FULL JOIN ${destination} d USING (id)
       WHERE s.id IS NULL OR d.id IS NULL OR (s.name, s.score, s.updated_at) IS DISTINCT FROM (d.name, d.score, d.updated_at)`,
    );
    return Number(rows[0].n);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/** A postgres -> postgres pipeline definition over two tables of one database. */
export function postgresPipeline(
  name: string,
  url: string,
  source: string,
  destination: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name,
    source: { type: 'postgres', config: { connectionString: url, table: source, keyColumns: ['id'], cursorColumn: 'updated_at' } },
    processors: [],
    destination: { type: 'postgres', config: { connectionString: url, table: destination, keyColumns: ['id'] } },
    batchSize: 50,
    schedule: { type: 'manual' },
    ...extra,
  };
}
