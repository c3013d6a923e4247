import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  INTEGRATION_REQUEST,
  PING,
  subjectFilter,
  subjectFor,
  type Envelope,
  type ExecuteResult,
  type IntegrationView,
  type PipelineRunStarted,
  type PipelineStatusView,
  type PipelineView,
} from '@autoweave/contracts';
import { createTestDatabase, freePort, testPool, waitFor, type TestDatabase } from '@autoweave/testing';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type pg from 'pg';
import { useBackend } from './support/backend.js';
import { itemsSpec, signedWebhookHeaders, startItemsApi } from './support/local-servers.js';
import { SERVICES, type ServiceName } from './support/stack.js';

const PING_OF: Record<ServiceName, string> = {
  discovery: PING.discovery,
  hub: PING.hub,
  'agent-adapter': PING.agentAdapter,
  'webhook-gateway': PING.webhookGateway,
  'pipeline-worker': PING.pipelineWorker,
};

/** How often each kind of load fires (ms): about 25 executes, 12 webhooks and 10 inserted rows a second. */
const EXECUTE_EVERY_MS = 40;
const WEBHOOK_EVERY_MS = 80;
const INSERT_EVERY_MS = 200;
const ROWS_PER_INSERT = 2;
/** The upstream answers this late, so a hub always has calls in flight when it gets SIGTERM. */
const UPSTREAM_LATENCY_MS = 1000;
/** Gateways keep serving this long after SIGTERM, reported not ready, so the balancer's 100 ms polls see it first. */
const GATEWAY_SHUTDOWN_DELAY_MS = '500';
/** Load runs this long between restarts, on the replica alone and then on both. */
const SETTLE_MS = 1000;


/** Errors a load balancer may safely retry elsewhere: the connection failed or closed before any response. */
const RETRYABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function connectionErrorCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code;
}

/**
 * What a load balancer in front of the gateways does: it polls each one's
 * /health/ready and sends only to those answering 200, and it retries a
 * request on another gateway only when the connection was refused or closed
 * before a response, never on an HTTP error status.
 */
class BalancingClient {
  private readonly ready = new Map<string, boolean>();
  private readonly poller: NodeJS.Timeout;
  private next = 0;
  /** Attempts that failed before a response and were sent again. */
  retried = 0;
  /** Readiness polls answered 503: a gateway taking itself out of rotation. */
  notReadySeen = 0;

  constructor(private readonly upstreams: string[]) {
    for (const url of upstreams) this.ready.set(url, true);
    this.poller = setInterval(() => void this.poll(), 100);
  }

  private async poll(): Promise<void> {
    await Promise.all(
      this.upstreams.map(async (url) => {
        try {
          const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1000) });
          await res.arrayBuffer();
          if (res.status === 503) this.notReadySeen++;
          this.ready.set(url, res.status === 200);
        } catch {
          this.ready.set(url, false);
        }
      }),
    );
  }

  private pick(exclude?: string): string | undefined {
    const candidates = this.upstreams.filter((u) => this.ready.get(u) && u !== exclude);
    if (candidates.length === 0) return undefined;
    return candidates[this.next++ % candidates.length];
  }

  async send(path: string, init: RequestInit): Promise<Response> {
    let last: string | undefined;
    for (let attempt = 0; attempt < 50; attempt++) {
      const upstream = this.pick(last) ?? this.pick();
      if (!upstream) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      try {
        return await fetch(`${upstream}${path}`, init);
      } catch (err) {
        const code = connectionErrorCode(err);
        if (!code || !RETRYABLE.has(code)) throw err;
        this.retried++;
        // The balancer takes it out of rotation until its readiness says otherwise.
        this.ready.set(upstream, false);
        last = upstream;
      }
    }
    throw new Error(`no gateway took ${path}`);
  }

  close(): void {
    clearInterval(this.poller);
  }
}

/** Fires `op` every `everyMs` until stopped; keeps every promise so the end can wait for all of them. */
function steadyLoad(everyMs: number, op: (n: number) => Promise<void>): { burst(count: number): void; stop(): Promise<number> } {
  const pending: Array<Promise<void>> = [];
  let n = 0;
  const timer = setInterval(() => pending.push(op(n++)), everyMs);
  return {
    /** `count` more at once, on top of the steady rate. */
    burst(count: number) {
      for (let i = 0; i < count; i++) pending.push(op(n++));
    },
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      return n;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Execute calls a process's log says it answered after it logged the shutdown request. */
function executesHandledAfterSigterm(lines: string[]): number {
  const parsed = lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as { msg?: string; subject?: string }];
    } catch {
      return [];
    }
  });
  const from = parsed.findIndex((l) => l.msg === 'shutdown requested');
  if (from < 0) return 0;
  return parsed.slice(from).filter((l) => l.msg === 'handled' && l.subject === INTEGRATION_REQUEST.execute).length;
}

async function instancesAnswering(nc: NatsConnection, subject: string): Promise<string | undefined> {
  const msg = await nc.request(subject, '', { timeout: 1000 });
  const reply = JSON.parse(new TextDecoder().decode(msg.data)) as Envelope<{ instance: string }>;
  return reply.ok ? reply.data.instance : undefined;
}

/** Waits until a ping on `subject` is answered by an instance not in `known` (the one just started), and remembers it. */
async function waitForNewInstance(nc: NatsConnection, subject: string, known: Set<string>): Promise<void> {
  await waitFor(
    async () => {
      const instance = await instancesAnswering(nc, subject);
      if (!instance || known.has(instance)) return false;
      known.add(instance);
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 20, what: `a new instance answering ${subject}` },
  );
}

describe('rolling restart under load: every service restarted one at a time while a replica carries on', () => {
  const backend = useBackend();
  let items: { url: string; server: Server };
  let db: TestDatabase;
  let pool: pg.Pool;
  let integration: IntegrationView;
  let webhook: IntegrationView & { secret?: string };
  let pipeline: PipelineView;
  let replicaGatewayUrl: string;
  const known = new Map<ServiceName, Set<string>>();

  beforeAll(async () => {
    items = await startItemsApi(UPSTREAM_LATENCY_MS);
    db = await createTestDatabase('autoweave_e2e_rolling');
    pool = testPool(db.url, 3);
    await pool.query('CREATE TABLE orders (id bigint PRIMARY KEY, note text NOT NULL, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())');
    await pool.query(`INSERT INTO orders (id, note) SELECT g, 'order ' || g FROM generate_series(1, 100) g`);

    integration = (await backend.api.call<IntegrationView>('POST', '/api/integration/register', { name: 'Items', type: 'openapi', config: { openAPISpec: itemsSpec(items.url) } })).body;
    webhook = (await backend.api.call<IntegrationView & { secret?: string }>('POST', '/api/integration/register', { name: 'Orders In', type: 'webhook', config: {} })).body;
    const registered = await backend.api.call<PipelineView>('POST', '/api/pipeline/register', {
      name: 'orders copy',
      source: { type: 'postgres', config: { connectionString: db.url, table: 'orders', keyColumns: ['id'], cursorColumn: 'updated_at' } },
      destination: {
        type: 'postgres',
        config: {
          connectionString: db.url,
          table: 'orders_copy',
          keyColumns: ['id'],
          createTable: true,
          columns: [
            { name: 'id', type: 'bigint' },
            { name: 'note', type: 'text' },
            { name: 'updated_at', type: 'timestamptz' },
          ],
        },
      },
      batchSize: 20,
      schedule: { type: 'interval', everyMs: 1000 },
    });
    expect(registered.status).toBe(201);
    pipeline = registered.body;

    // The gateway as it would run behind a balancer: it keeps serving a moment after SIGTERM, reported not ready.
    const gateway = backend.stack.service('webhook-gateway');
    gateway.env.AUTOWEAVE_SHUTDOWN_DELAY_MS = GATEWAY_SHUTDOWN_DELAY_MS;
    await backend.stack.restart('webhook-gateway');
    await backend.stack.waitUntilReady();

    // A second process of every service; each has its own health port (and the gateway its own HTTP port).
    const replicaHttpPort = await freePort();
    replicaGatewayUrl = `http://127.0.0.1:${replicaHttpPort}`;
    for (const name of SERVICES) {
      backend.stack.addReplica(name, {
        AUTOWEAVE_HEALTH_PORT: String(await freePort()),
        ...(name === 'webhook-gateway' ? { AUTOWEAVE_HTTP_PORT: String(replicaHttpPort) } : {}),
        ...(name === 'pipeline-worker' ? { AUTOWEAVE_DATA_DIR: join(backend.stack.dataDir, 'replica') } : {}),
      });
    }
    for (const name of SERVICES) {
      const instances = new Set<string>();
      await waitFor(
        async () => {
          const instance = await instancesAnswering(backend.nc, PING_OF[name]);
          if (instance) instances.add(instance);
          return instances.size === 2;
        },
        { timeoutMs: 30_000, intervalMs: 20, what: `two ${name} processes answering` },
      );
      known.set(name, instances);
    }
    await waitFor(async () => (await fetch(`${replicaGatewayUrl}/health/ready`)).status === 200, { timeoutMs: 30_000, what: 'the gateway replica to be ready' });
  }, 90_000);

  afterAll(async () => {
    await new Promise((r) => items?.server.close(r));
    await pool?.end();
    await db?.drop();
  });

  it('loses no execute request, no inbound webhook and no pipeline row', async () => {
    const lb = new BalancingClient([backend.stack.gatewayUrl, replicaGatewayUrl]);
    const webhookUrl = `/webhooks/${webhook.id}`;
    // Both gateways must know the webhook integration (their registry watch) before load starts.
    for (const url of [backend.stack.gatewayUrl, replicaGatewayUrl]) {
      await waitFor(async () => {
        const body = '{"type":"warmup"}';
        const res = await fetch(`${url}${webhookUrl}`, { method: 'POST', headers: signedWebhookHeaders(webhook.secret!, body, `warm_${randomUUID()}`), body });
        return res.status === 202;
      }, { what: `the gateway at ${url} to know the webhook` });
    }

    const republished = new Set<string>();
    const sub: Subscription = backend.nc.subscribe(subjectFilter.events(`${subjectFor.webhookEventTopic(webhook.id, 'x').slice(0, -1)}>`), {
      callback: (_err, msg) => {
        const id = msg.headers?.get('webhook-id');
        if (id?.startsWith('load_')) republished.add(id);
      },
    });
    await backend.nc.flush();

    const executeFailures: string[] = [];
    let executeOk = 0;
    const executes = steadyLoad(EXECUTE_EVERY_MS, async (n) => {
      try {
        const msg = await backend.nc.request(INTEGRATION_REQUEST.execute, JSON.stringify({ integrationId: integration.id, action: 'getItem', params: { id: n } }), { timeout: 10_000 });
        const reply = JSON.parse(new TextDecoder().decode(msg.data)) as Envelope<ExecuteResult>;
        if (!reply.ok) executeFailures.push(`#${n}: ${reply.error.code} ${reply.error.message}`);
        else if ((reply.data.body as { id: number }).id !== n) executeFailures.push(`#${n}: WRONG answer ${JSON.stringify(reply.data.body)}`);
        else executeOk++;
      } catch (err) {
        executeFailures.push(`#${n}: ${(err as { code?: string }).code ?? ''} ${(err as Error).message}`);
      }
    });

    const sentWebhooks: string[] = [];
    const webhookFailures: string[] = [];
    const webhooks = steadyLoad(WEBHOOK_EVERY_MS, async (n) => {
      const id = `load_${n}_${randomUUID()}`;
      const body = JSON.stringify({ type: 'order.created', data: { n } });
      sentWebhooks.push(id);
      try {
        const res = await lb.send(webhookUrl, { method: 'POST', headers: signedWebhookHeaders(webhook.secret!, body, id), body });
        const text = await res.text();
        if (res.status !== 202) webhookFailures.push(`${id}: HTTP ${res.status} ${text}`);
      } catch (err) {
        webhookFailures.push(`${id}: ${connectionErrorCode(err) ?? ''} ${(err as Error).message}`);
      }
    });

    let nextRow = 101;
    const inserts = steadyLoad(INSERT_EVERY_MS, async () => {
      const first = nextRow;
      nextRow += ROWS_PER_INSERT;
      await pool.query(`INSERT INTO orders (id, note) SELECT g, 'order ' || g FROM generate_series(${first}, ${first + ROWS_PER_INSERT - 1}) g`);
    });

    const exitCodes: Record<string, number | null> = {};
    let executesSent = 0;
    let executesFinishedWhileStopping = 0;
    try {
      await sleep(SETTLE_MS);
      for (const name of SERVICES) {
        const service = backend.stack.service(name);
        const logFrom = service.output.length;
        if (name === 'hub') {
          // However slow the machine, some calls are in the stopping hub's hands: half of a burst goes to it.
          executes.burst(10);
          await sleep(100);
        }
        exitCodes[name] = await service.stop();
        if (name === 'hub') executesFinishedWhileStopping = executesHandledAfterSigterm(service.output.slice(logFrom));
        service.start();
        await waitForNewInstance(backend.nc, PING_OF[name], known.get(name)!);
        if (name === 'webhook-gateway') {
          await waitFor(async () => (await fetch(`${backend.stack.gatewayUrl}/health/ready`)).status === 200, { timeoutMs: 30_000, what: 'the restarted gateway to be ready' });
        }
        await sleep(SETTLE_MS);
      }
    } finally {
      [executesSent] = await Promise.all([executes.stop(), webhooks.stop(), inserts.stop()]);
      lb.close();
    }

    expect(exitCodes).toEqual(Object.fromEntries(SERVICES.map((s) => [s, 0])));
    // The hub had calls in hand when it got SIGTERM and answered them before exiting (the rest went to its replica).
    expect(executesFinishedWhileStopping).toBeGreaterThan(0);
    expect(executeFailures).toEqual([]);
    expect(executeOk).toBe(executesSent);
    expect(webhookFailures).toEqual([]);
    await waitFor(() => republished.size === sentWebhooks.length, { timeoutMs: 15_000, what: `all ${sentWebhooks.length} webhooks republished (have ${republished.size})` }).catch(() => undefined);
    expect(sentWebhooks.filter((id) => !republished.has(id))).toEqual([]);
    sub.unsubscribe();

    // A last run after the inserts stopped: it must leave the destination equal to the source.
    const lastRunId = await waitFor(async () => {
      const started = await backend.api.call<PipelineRunStarted>('POST', `/api/pipeline/${pipeline.id}/execute`);
      return started.status === 202 ? started.body.runId : undefined; // 409 while a scheduled run holds the lease
    }, { timeoutMs: 30_000, what: 'a final pipeline run to start' });
    const status = await waitFor(async () => {
      const s = (await backend.api.call<PipelineStatusView>('GET', `/api/pipeline/${pipeline.id}/status`)).body;
      return s.lastRun?.runId === lastRunId ? s : undefined;
    }, { timeoutMs: 30_000, what: 'the final pipeline run to end' });
    expect(status.lastRun?.outcome).toBe('completed');
    const missing = await pool.query(
      `SELECT count(*)::int AS n FROM orders s FULL JOIN orders_copy d USING (id)
       WHERE s.id IS NULL OR d.id IS NULL OR (s.note, s.updated_at) IS DISTINCT FROM (d.note, d.updated_at)`,
    );
    expect(Number(missing.rows[0].n)).toBe(0);
    expect(Number((await pool.query('SELECT count(*)::int AS n FROM orders_copy')).rows[0].n)).toBe(nextRow - 1);
    process.stdout.write(
      `rolling restart: ${executesSent} executes ok (${executesFinishedWhileStopping} finished by the stopping hub), ${sentWebhooks.length} webhooks accepted and republished ` +
        `(${lb.notReadySeen} not-ready polls, ${lb.retried} connection retries), ${nextRow - 1} rows copied\n`,
    );
  }, 120_000);
});
