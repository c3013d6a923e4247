import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import { STREAMS, subjectFor, type IntegrationView, type PipelineRunStarted, type PipelineStatusView, type PipelineView } from '@autoweave/contracts';
import { waitFor } from '@autoweave/testing';
import { useBackend } from './support/backend.js';
import { listenLocal } from './support/local-servers.js';

/** The series of one metric in a Prometheus text exposition, with their labels. */
function series(text: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  return text.split('\n').flatMap((line) => {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) return [];
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    return [{ labels, value: Number(m[3]) }];
  });
}

/** The value of the first series of `name` carrying `labels` (others ignored); undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  return series(text, name).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/** A list endpoint that reports 50 items in all and returns 10 per page. */
const thingsSpec = (url: string) => ({
  openapi: '3.1.0',
  info: { title: 'Things', version: '1' },
  servers: [{ url }],
  paths: {
    '/things': {
      get: {
        operationId: 'listThings',
        parameters: [{ name: 'page', in: 'query', schema: { type: 'integer' } }],
        responses: { 200: { description: 'ok' } },
      },
    },
  },
});

describe('operator metrics move: webhook backlog, redeliveries and dead letters, pipeline lag', () => {
  const backend = useBackend();
  let attempts = 0;
  const failing = createServer((_req, res) => {
    attempts++;
    res.writeHead(503).end('down');
  });
  const things = createServer((req, res) => {
    const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? '1');
    const items = Array.from({ length: 10 }, (_, i) => ({ id: (page - 1) * 10 + i + 1 }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items, total: 50 }));
  });
  let failingUrl: string;
  let thingsUrl: string;

  beforeAll(async () => {
    failingUrl = await listenLocal(failing);
    thingsUrl = await listenLocal(things);
  });

  afterAll(async () => {
    for (const server of [failing, things]) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  const gatewayMetrics = async (): Promise<string> => (await fetch(`${backend.stack.gatewayUrl}/metrics`)).text();
  const workerMetrics = async (): Promise<string> =>
    (await fetch(`http://127.0.0.1:${backend.stack.service('pipeline-worker').env.AUTOWEAVE_HEALTH_PORT}/metrics`)).text();

  it('a delivery to a failing receiver shows as backlog and redeliveries on /metrics, then as a stored dead letter', async () => {
    const registered = await backend.api.call<IntegrationView>('POST', '/api/integration/register', {
      name: 'Failing Receiver',
      type: 'webhook',
      config: { url: `${failingUrl}/hook`, events: ['metrics.test.*'], retry: { scheduleMs: [1500, 1500] } },
    });
    expect(registered.status).toBe(201);
    const endpoint = registered.body.id;
    expect(sample(await gatewayMetrics(), 'autoweave_webhook_dead_letters_stored', { endpoint })).toBeUndefined();

    expect((await backend.api.call('POST', '/api/events/publish', { topic: 'metrics.test.created', data: { n: 1 } })).status).toBe(202);

    // Between attempts the message waits for its retry: it is part of the endpoint's backlog.
    const backlog = await waitFor(async () => {
      const value = sample(await gatewayMetrics(), 'autoweave_webhook_delivery_backlog', { endpoint });
      return attempts >= 1 && value !== undefined && value > 0 ? value : undefined;
    }, { timeoutMs: 20_000, what: 'a delivery backlog for the endpoint' });
    expect(backlog).toBe(1);

    // The second attempt is JetStream's redelivery of the message.
    const redelivered = await waitFor(async () => {
      const found = series(await gatewayMetrics(), 'autoweave_jetstream_redeliveries_total').find(
        (s) => s.labels.stream === STREAMS.events.name && s.labels.consumer?.includes(endpoint) && s.value > 0,
      );
      return found;
    }, { timeoutMs: 20_000, what: 'a redelivery counted' });
    expect(redelivered.value).toBeGreaterThanOrEqual(1);

    // After the third attempt the message is dead-lettered: out of the backlog, into WEBHOOK_DLQ.
    await waitFor(async () => {
      const t = await gatewayMetrics();
      return sample(t, 'autoweave_webhook_dead_letters_stored', { endpoint }) === 1 && sample(t, 'autoweave_webhook_delivery_backlog', { endpoint }) === 0;
    }, { timeoutMs: 20_000, what: 'the dead letter to be stored and the backlog empty' });
    expect(attempts).toBe(3);
    expect(sample(await gatewayMetrics(), 'autoweave_webhook_dead_letters_total', {})).toBe(1);
  });

  it('a run of a pipeline whose source reports a total shows the items left as pipeline_lag', async () => {
    const integration = (await backend.api.call<IntegrationView>('POST', '/api/integration/register', { name: 'Things', type: 'openapi', config: { openAPISpec: thingsSpec(thingsUrl) } })).body;
    const registered = await backend.api.call<PipelineView>('POST', '/api/pipeline/register', {
      name: 'things lag',
      source: {
        type: 'integration',
        config: { integrationId: integration.id, action: 'listThings', itemsPath: 'items', pageSize: 10, totalPath: 'total', pagination: { style: 'page', pageParam: 'page', maxPages: 2 } },
      },
      processors: [],
      destination: { type: 'nats', config: { subject: subjectFor.event('metrics.things'), keyFields: ['id'] } },
      batchSize: 10,
      schedule: { type: 'manual' },
    });
    expect(registered.status).toBe(201);
    const pipeline = registered.body;
    const started = await backend.api.call<PipelineRunStarted>('POST', `/api/pipeline/${pipeline.id}/execute`);
    expect(started.status).toBe(202);
    const status = await waitFor(async () => {
      const s = (await backend.api.call<PipelineStatusView>('GET', `/api/pipeline/${pipeline.id}/status`)).body;
      return s.lastRun?.runId === started.body.runId ? s : undefined;
    }, { timeoutMs: 30_000, what: 'the run to end' });
    expect(status.lastRun).toMatchObject({ outcome: 'completed', read: 20 });
    expect(status.lag).toBe(30);
    expect(sample(await workerMetrics(), 'pipeline_lag', { pipeline: 'things lag' })).toBe(30);

    expect((await backend.api.call('DELETE', `/api/pipeline/${pipeline.id}`)).status).toBe(200);
    await waitFor(async () => sample(await workerMetrics(), 'pipeline_lag', { pipeline: 'things lag' }) === undefined, { what: 'the lag of the deleted pipeline to go' });
  });
});
