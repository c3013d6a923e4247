// What does the pipeline worker cost against a hand-written copy? The same 200,000 rows go from one
// PostgreSQL table to another, in the same run:
//   (a) pipeline:     the real worker (node services/pipeline-worker/dist/main.js, its own process),
//                     a postgres -> postgres pipeline registered and executed over NATS; timed from the
//                     execute request to pipeline.execution.completed (lease, checkpoint after every
//                     batch, events, metrics, status all on)
//   (b) hand-written: a plain pg script doing the same keyset reads (ORDER BY updated_at, id) and batched
//                     multi-row upserts (INSERT ... ON CONFLICT DO UPDATE), read then write, batch by batch
// Same batch size for both. Prints one JSON line; ratio = (a) rows/s / (b) rows/s.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { PIPELINE_ADMIN, PIPELINE_EVENTS, PING } from '@autoweave/contracts';
import { createTestDatabase, freePort, startNatsServer, waitFor } from '@autoweave/testing';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { numberArg, round } from './load.mjs';
import { asker } from './support/ask.mjs';
import { ChildProcesses, nodeArgsFrom } from './support/children.mjs';

if (process.argv.includes('--help')) {
  console.log(`usage: node bench/pipeline.bench.mjs [--rows N] [--batch B] [--rounds R]
Needs a build (pnpm build) and PostgreSQL (PG_URL, default postgres://postgres@127.0.0.1:5432/postgres).
Copies N rows (default 200000) table to table through the pipeline worker and with a hand-written pg
script, batch size B (default 1000), R alternating rounds each (default 3, best kept). Prints one JSON line: rows/s of both and ratio = pipeline / hand-written.
WORKER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the worker.`);
  process.exit(0);
}
const ROWS = numberArg('rows', 200_000);
const BATCH = numberArg('batch', 1000);
const ROUNDS = numberArg('rounds', 3);
const progress = (msg) => process.stderr.write(`[pipeline bench] ${msg}\n`);
const COLUMNS = ['id', 'name', 'score', 'payload', 'updated_at'];

const nats = await startNatsServer();
const db = await createTestDatabase('autoweave_bench_pipeline');
// Timestamps as PostgreSQL's text (a JS Date would drop their microseconds), as the pipeline's adapter does.
const keepTimestampText = { getTypeParser: (oid, format) => (oid === 1184 ? (text) => text : pg.types.getTypeParser(oid, format)) };
const pool = new pg.Pool({ connectionString: db.url, max: 4, types: keepTimestampText });
const children = new ChildProcesses();
let client;
try {
  progress(`seeding ${ROWS} rows`);
  const table = (name) => `CREATE TABLE ${name} (id bigint PRIMARY KEY, name text NOT NULL, score int, payload text, updated_at timestamptz NOT NULL DEFAULT now())`;
  await pool.query(table('bench_src'));
  await pool.query(`INSERT INTO bench_src (id, name, score, payload) SELECT g, 'row-' || g, g % 1000, repeat(md5(g::text), 2) FROM generate_series(1, ${ROWS}) g`);
  // Spread updated_at so the keyset walks a real cursor column, with ties (ten rows per value).
  await pool.query(`UPDATE bench_src SET updated_at = now() - make_interval(secs => (${ROWS} - id) / 10)`);
  // The index an incremental source needs: the keyset order (cursor column, then key).
  await pool.query('CREATE INDEX bench_src_keyset ON bench_src (updated_at, id)');
  await pool.query('VACUUM ANALYZE bench_src');
  for (const name of ['dst_pipeline', 'dst_hand']) await pool.query(table(name));

  // (b) the hand-written copy.
  const handWritten = async (target) => {
    await pool.query(`TRUNCATE ${target}`);
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    let cursor;
    let copied = 0;
    const upsertText = (rows) => {
      const tuples = [];
      for (let r = 0, p = 1; r < rows; r++) tuples.push(`(${COLUMNS.map(() => `$${p++}`).join(', ')})`);
      return `INSERT INTO ${target} (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (id) DO UPDATE SET ${COLUMNS.slice(1).map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`;
    };
    const fullText = upsertText(BATCH);
    for (;;) {
      const { rows } = cursor
        ? await pool.query(`SELECT ${COLUMNS.join(', ')} FROM bench_src WHERE (updated_at, id) > ($1, $2) ORDER BY updated_at, id LIMIT ${BATCH}`, cursor)
        : await pool.query(`SELECT ${COLUMNS.join(', ')} FROM bench_src ORDER BY updated_at, id LIMIT ${BATCH}`);
      if (rows.length === 0) break;
      const values = [];
      for (const row of rows) for (const c of COLUMNS) values.push(row[c]);
      await pool.query(rows.length === BATCH ? { name: 'upsert_full', text: fullText, values } : { text: upsertText(rows.length), values });
      copied += rows.length;
      const last = rows[rows.length - 1];
      cursor = [last.updated_at, last.id];
      if (rows.length < BATCH) break;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const used = process.cpuUsage(cpu);
    return { rows: copied, seconds: round(seconds), rowsPerSec: Math.round(copied / seconds), cpuSeconds: round((used.user + used.system) / 1e6) };
  };

  // (a) the pipeline worker as its own process.
  const worker = children.service(
    'pipeline-worker',
    { NATS_URL: nats.url, AUTOWEAVE_SECRET_KEY: randomBytes(32).toString('base64'), AUTOWEAVE_HEALTH_PORT: String(await freePort()) },
    { nodeArgs: nodeArgsFrom('WORKER_NODE_ARGS') },
  );
  client = await connect({ servers: nats.url });
  const ask = asker(client);
  await waitFor(async () => (await ask(PING.pipelineWorker, {})).ok, { timeoutMs: 30_000, what: 'the pipeline worker' });
  const completed = new Map();
  const sub = client.subscribe(PIPELINE_EVENTS.executionCompleted);
  (async () => {
    for await (const m of sub) completed.set(m.json().run.runId, m.json().run);
  })();
  const failedSub = client.subscribe(PIPELINE_EVENTS.executionFailed);
  (async () => {
    for await (const m of failedSub) completed.set(m.json().run.runId, m.json().run);
  })();
  await client.flush();

  // CPU time of the worker process (Linux /proc; user + system clock ticks).
  const workerCpuSeconds = () => {
    const fields = readFileSync(`/proc/${worker.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  let n = 0;
  const viaPipeline = async (target) => {
    await pool.query(`TRUNCATE ${target}`);
    const registered = await ask(PIPELINE_ADMIN.register, {
      name: `bench ${++n}`,
      source: { type: 'postgres', config: { connectionString: db.url, table: 'bench_src', keyColumns: ['id'], cursorColumn: 'updated_at', columns: COLUMNS } },
      destination: { type: 'postgres', config: { connectionString: db.url, table: target, keyColumns: ['id'] } },
      batchSize: BATCH,
    });
    if (!registered.ok) throw new Error(JSON.stringify(registered.error));
    const started = process.hrtime.bigint();
    const cpu = workerCpuSeconds();
    const execution = await ask(PIPELINE_ADMIN.execute, { id: registered.data.id });
    if (!execution.ok) throw new Error(JSON.stringify(execution.error));
    const run = await waitFor(() => completed.get(execution.data.runId), { timeoutMs: 600_000, intervalMs: 5, what: 'the pipeline run' });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpuSeconds = round(workerCpuSeconds() - cpu);
    if (run.outcome !== 'completed') throw new Error(`pipeline run ${run.outcome}: ${run.error}`);
    await ask(PIPELINE_ADMIN.delete, { id: registered.data.id });
    return { rows: run.written, seconds: round(seconds), rowsPerSec: Math.round(run.written / seconds), cpuSeconds };
  };

  const check = async (target) => {
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM bench_src s FULL JOIN ${target} d USING (id) WHERE s.id IS NULL OR d.id IS NULL OR (s.name, s.score, s.payload, s.updated_at) IS DISTINCT FROM (d.name, d.score, d.payload, d.updated_at)`);
    if (rows[0].n !== 0) throw new Error(`${target} differs from the source in ${rows[0].n} rows`);
  };

  progress('warm-up: one run of each');
  await handWritten('dst_hand');
  await viaPipeline('dst_pipeline');
  // Alternate, ROUNDS times each, and keep each side's best run: one noisy run on shared cores does not decide it.
  const results = { pipeline: [], handWritten: [] };
  for (let i = 0; i < ROUNDS; i++) {
    progress(`round ${i + 1}: hand-written`);
    results.handWritten.push(await handWritten('dst_hand'));
    progress(`round ${i + 1}: pipeline`);
    results.pipeline.push(await viaPipeline('dst_pipeline'));
  }
  await check('dst_hand');
  await check('dst_pipeline');
  const best = (list) => list.reduce((a, b) => (b.rowsPerSec > a.rowsPerSec ? b : a));
  const pipelineBest = best(results.pipeline);
  const handBest = best(results.handWritten);
  console.log(
    JSON.stringify({
      bench: 'pipeline',
      rows: ROWS,
      batchSize: BATCH,
      pipeline: pipelineBest,
      handWritten: handBest,
      runs: { pipeline: results.pipeline.map((r) => r.rowsPerSec), handWritten: results.handWritten.map((r) => r.rowsPerSec) },
      ratio: Number((pipelineBest.rowsPerSec / handBest.rowsPerSec).toFixed(3)),
    }),
  );
} finally {
  await children.stopAll();
  await client?.close();
  await pool.end();
  await db.drop();
  await nats.stop();
}
