import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { BUCKETS, PING, STREAMS } from '@autoweave/contracts';
import { runService } from '@autoweave/service-kit';
import { probeService } from '@autoweave/testing';
import { pipelineWorkerService } from './pipeline-worker.definition.js';

describe('pipeline-worker service', () => {
  it('boots on a real nats-server, answers its ping, reports healthy, provisions its buckets and streams and turns unready when NATS goes away', async () => {
    const probe = await probeService({
      pingSubject: PING.pipelineWorker,
      buckets: [BUCKETS.pipelines, BUCKETS.pipelineCursors],
      streams: [STREAMS.events.name, STREAMS.pipelineDlq.name],
      start: (natsUrl) => runService(pipelineWorkerService, { NATS_URL: natsUrl, AUTOWEAVE_SECRET_KEY: randomBytes(32).toString('base64'), AUTOWEAVE_HEALTH_PORT: '0', LOG_LEVEL: 'silent' }),
    });

    expect(probe.ping).toEqual({
      ok: true,
      data: { service: 'pipeline-worker', instance: expect.any(String), version: expect.any(String), uptimeSeconds: expect.any(Number) },
    });
    expect(probe.live.status).toBe(200);
    expect(probe.ready.status).toBe(200);
    expect(probe.metrics.status).toBe(200);
    expect(probe.metrics.body).toMatch(/^autoweave_\w+/m);
    expect(probe.buckets).toEqual({ [BUCKETS.pipelines]: true, [BUCKETS.pipelineCursors]: true });
    expect(probe.streams).toEqual({ [STREAMS.events.name]: true, [STREAMS.pipelineDlq.name]: true });
    expect(probe.readyWithoutNats.status).toBe(503);
  });
});
