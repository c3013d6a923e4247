import { describe, expect, it } from '@jest/globals';
import { PING } from '@autoweave/contracts';
import { runService } from '@autoweave/service-kit';
import { probeService } from '@autoweave/testing';
import { agentAdapterService } from './agent-adapter.definition.js';

describe('agent-adapter service', () => {
  it('boots on a real nats-server, answers its ping, reports healthy and turns unready when NATS goes away', async () => {
    const probe = await probeService({
      pingSubject: PING.agentAdapter,
      start: (natsUrl) => runService(agentAdapterService, { NATS_URL: natsUrl, AUTOWEAVE_HEALTH_PORT: '0', LOG_LEVEL: 'silent' }),
    });

    expect(probe.ping).toEqual({
      ok: true,
      data: { service: 'agent-adapter', instance: expect.any(String), version: expect.any(String), uptimeSeconds: expect.any(Number) },
    });
    expect(probe.live.status).toBe(200);
    expect(probe.ready.status).toBe(200);
    expect(probe.metrics.status).toBe(200);
    expect(probe.metrics.body).toMatch(/^autoweave_\w+/m);
    expect(probe.readyWithoutNats.status).toBe(503);
  });
});
