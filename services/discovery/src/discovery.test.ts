import { describe, expect, it } from '@jest/globals';
import { BUCKETS, PING } from '@autoweave/contracts';
import { runService } from '@autoweave/service-kit';
import { probeService } from '@autoweave/testing';
import { discoveryService } from './discovery.definition.js';

describe('discovery service', () => {
  it('boots on a real nats-server, answers its ping, reports healthy, provisions the services bucket and turns unready when NATS goes away', async () => {
    const probe = await probeService({
      pingSubject: PING.discovery,
      buckets: [BUCKETS.services],
      start: (natsUrl) => runService(discoveryService, { NATS_URL: natsUrl, AUTOWEAVE_HEALTH_PORT: '0', LOG_LEVEL: 'silent' }),
    });

    expect(probe.ping).toEqual({
      ok: true,
      data: { service: 'discovery', instance: expect.any(String), version: expect.any(String), uptimeSeconds: expect.any(Number) },
    });
    expect(probe.live.status).toBe(200);
    expect(probe.ready.status).toBe(200);
    expect(probe.metrics.status).toBe(200);
    expect(probe.metrics.body).toMatch(/^autoweave_\w+/m);
    expect(probe.buckets).toEqual({ [BUCKETS.services]: true });
    expect(probe.readyWithoutNats.status).toBe(503);
  });
});
