import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inventory, MANIFEST_FILE, type Manifest } from '@autoweave/backup';
import { BUCKETS, PING, STREAMS, type IntegrationList, type IntegrationView, type PipelineList, type PipelineRunStarted, type PipelineStatusView, type PipelineView } from '@autoweave/contracts';
import { renderAuthorization, seedOf } from '@autoweave/messaging';
import { createTestDatabase, startNatsServer, testPool, waitFor, type NatsServerHandle, type TestDatabase } from '@autoweave/testing';
import { connect, nkeyAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { useBackend } from './support/backend.js';
import { SERVICES, ServiceProcess } from './support/stack.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../../apps/backup/dist/cli.js');

/** Runs autoweave-backup as an operator would, as the bus's admin user. */
function runCli(args: string[], natsUrl: string, adminSeed: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH, NATS_URL: natsUrl, NATS_NKEY_SEED: adminSeed } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * Disaster recovery end to end: state made through the API (integrations, a webhook endpoint with its
 * delivery consumer, a pipeline that has run), backed up with the CLI from the running stack, restored
 * into a FRESH nats-server, and the same five services started against it carry on where they were.
 */
describe('backup and restore end to end: the whole backend comes back on a fresh nats-server', () => {
  const backend = useBackend();
  const received: Array<{ orderId: number }> = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { orderId: number } }).data);
      res.writeHead(204).end();
    });
  });
  const work = mkdtempSync(join(tmpdir(), 'autoweave-backup-e2e-'));
  let db: TestDatabase;
  let pool: pg.Pool;
  let fresh: NatsServerHandle | undefined;
  let freshNc: NatsConnection | undefined;
  const restoredServices: ServiceProcess[] = [];

  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    db = await createTestDatabase('autoweave_e2e_backup');
    pool = testPool(db.url, 2);
    await pool.query('CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())');
    await pool.query(`INSERT INTO customers (id, email) SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 20) g`);
  });

  afterAll(async () => {
    const codes = await Promise.all(restoredServices.map((s) => s.stop()));
    await freshNc?.close();
    await fresh?.stop();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    await pool?.end();
    await db?.drop();
    rmSync(work, { recursive: true, force: true });
    expect(codes.every((c) => c === 0)).toBe(true);
  });

  it('backs up with the CLI, restores into a fresh server, and the services list, deliver and sync from the restored state', async () => {
    const { api, stack } = backend;
    const adminSeed = seedOf(stack.credentials, 'admin');

    // 1. State made the way users make it.
    const pets = await api.call<IntegrationView>('POST', '/api/integration/register', {
      name: 'Pets',
      type: 'openapi',
      config: { openAPISpec: { openapi: '3.0.3', info: { title: 'Pets', version: '1' }, paths: { '/pets': { get: { operationId: 'listPets', responses: { 200: { description: 'ok' } } } } } } },
    });
    expect(pets.status).toBe(201);
    const hook = await api.call<IntegrationView>('POST', '/api/integration/register', {
      name: 'Order Receiver',
      type: 'webhook',
      config: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/orders`, events: ['shop.order.*'] },
    });
    expect(hook.status).toBe(201);
    expect((await api.call('POST', '/api/events/publish', { topic: 'shop.order.created', data: { orderId: 1 } })).status).toBe(202);
    await waitFor(async () => (await api.call<{ items: unknown[] }>('GET', `/api/integration/${hook.body.id}/deliveries`)).body.items.length === 1, {
      what: 'the first delivery to be recorded',
      timeoutMs: 20_000,
    });
    const pipeline = await api.call<PipelineView>('POST', '/api/pipeline/register', {
      name: 'customers copy',
      source: { type: 'postgres', config: { connectionString: db.url, table: 'customers', keyColumns: ['id'], cursorColumn: 'updated_at' } },
      destination: {
        type: 'postgres',
        config: { connectionString: db.url, table: 'customers_copy', keyColumns: ['id'], createTable: true, columns: [{ name: 'id', type: 'bigint' }, { name: 'email', type: 'text' }, { name: 'updated_at', type: 'timestamptz' }] },
      },
      schedule: { type: 'manual' },
    });
    expect(pipeline.status).toBe(201);
    const lastRunOf = (runId: string) =>
      waitFor(
        async () => {
          const status = (await api.call<PipelineStatusView>('GET', `/api/pipeline/${pipeline.body.id}/status`)).body;
          return status.lastRun?.runId === runId && status.state === 'idle' ? status : undefined;
        },
        { timeoutMs: 30_000, what: `run ${runId} to end` },
      );
    const firstRun = await api.call<PipelineRunStarted>('POST', `/api/pipeline/${pipeline.body.id}/execute`);
    expect((await lastRunOf(firstRun.body.runId)).lastRun).toMatchObject({ outcome: 'completed', read: 20, written: 20 });

    // 2. Backup of the running system.
    const dir = join(work, 'backup');
    const backedUp = await runCli(['backup', dir], stack.nats.url, adminSeed);
    expect(backedUp.stderr).toBe('');
    expect(backedUp.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
    const kept = (stream: string) => manifest.streams.find((s) => s.stream === stream);
    // Webhook endpoints are webhook integrations: their records are in the integrations bucket.
    for (const bucket of [BUCKETS.integrations, BUCKETS.pipelines, BUCKETS.pipelineCursors]) {
      expect(kept(`KV_${bucket}`)?.state?.messages).toBeGreaterThan(0);
    }
    expect(kept(STREAMS.deliveries.name)?.state?.messages).toBe(1);

    // 3. The server is lost: the services stop, a fresh server (same accounts) takes its place.
    for (const name of ['webhook-gateway', 'discovery', 'pipeline-worker', 'agent-adapter', 'hub'] as const) expect(await stack.service(name).stop()).toBe(0);
    fresh = await startNatsServer({ config: renderAuthorization(stack.credentials) });
    const restored = await runCli(['restore', dir], fresh.url, adminSeed);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);

    // Every stream and bucket holds what the backup holds: same message count, same last sequence, same consumers.
    freshNc = await connect({ servers: fresh.url, authenticator: nkeyAuthenticator(new TextEncoder().encode(adminSeed)) });
    const now = await inventory(freshNc);
    for (const entry of manifest.streams.filter((s) => !s.absent)) {
      expect(now.find((s) => s.stream === entry.stream)).toEqual({
        stream: entry.stream,
        messages: entry.state!.messages,
        lastSeq: entry.state!.last_seq,
        consumers: [...entry.consumers!].sort(),
      });
    }

    // 4. The same services, pointed at the restored server, carry on.
    for (const name of SERVICES) {
      const service = new ServiceProcess(name, { ...stack.service(name).env, NATS_URL: fresh.url });
      service.start();
      restoredServices.push(service);
    }
    await waitFor(async () => (await fetch(`${stack.gatewayUrl}/health/ready`).catch(() => undefined))?.status === 200, {
      timeoutMs: 30_000,
      what: 'the gateway on the restored server to be ready',
    });
    for (const subject of Object.values(PING)) {
      await waitFor(async () => (await freshNc!.request(subject, '', { timeout: 1000 }).catch(() => undefined)) !== undefined, {
        timeoutMs: 30_000,
        what: `an answer on ${subject} from the restored services`,
      });
    }
    const integrations = await waitFor(
      async () => {
        const res = await api.call<IntegrationList>('GET', '/api/integration/list');
        return res.status === 200 && res.body.total === 2 ? res.body.items : undefined;
      },
      { timeoutMs: 30_000, what: 'the restored integrations to be listed' },
    );
    expect(integrations.map((i) => i.id).sort()).toEqual([pets.body.id, hook.body.id].sort());
    const pipelines = (await api.call<PipelineList>('GET', '/api/pipeline')).body.items;
    expect(pipelines.map((p) => p.id)).toContain(pipeline.body.id);
    expect((await api.call<PipelineStatusView>('GET', `/api/pipeline/${pipeline.body.id}/status`)).body.lastRun?.runId).toBe(firstRun.body.runId);

    // The pipeline's cursor came back: the next run reads only the row changed since.
    await pool.query(`INSERT INTO customers (id, email) VALUES (21, 'new@example.com')`);
    const secondRun = await waitFor(
      async () => {
        const res = await api.call<PipelineRunStarted>('POST', `/api/pipeline/${pipeline.body.id}/execute`);
        return res.status === 202 ? res.body : undefined;
      },
      { timeoutMs: 30_000, what: 'the restored worker to take a run' },
    );
    expect((await lastRunOf(secondRun.runId)).lastRun).toMatchObject({ outcome: 'completed', read: 1, written: 1 });

    // The endpoint's consumer came back at its position: a new event is delivered, the old one not again.
    expect((await api.call('POST', '/api/events/publish', { topic: 'shop.order.created', data: { orderId: 2 } })).status).toBe(202);
    await waitFor(() => received.some((r) => r.orderId === 2), { timeoutMs: 20_000, what: 'the delivery of the event published after the restore' });
    expect(received.map((r) => r.orderId)).toEqual([1, 2]);
    // The attempt records (DELIVERIES) continue after the restored ones.
    const deliveries = await waitFor(
      async () => {
        const items = (await api.call<{ items: Array<{ msgId: string }> }>('GET', `/api/integration/${hook.body.id}/deliveries`)).body.items;
        return items.length >= 2 ? items : undefined;
      },
      { timeoutMs: 20_000, what: 'the second attempt record' },
    );
    expect(deliveries).toHaveLength(2);
  });
});
