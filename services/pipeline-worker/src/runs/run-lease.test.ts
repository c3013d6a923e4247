import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@autoweave/observability';
import { startNatsServer, waitFor, type NatsServerHandle } from '@autoweave/testing';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { LeaseManager } from './run-lease.js';

const logger = createLogger({ service: 'test', level: 'silent' });

describe('run lease - one run of a pipeline at a time (real nats-server KV)', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let kv: KV;

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    kv = await new Kvm(nc).create('pipeline_leases', { history: 1, ttl: 1500 });
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  it('lets exactly one of many concurrent claimants take a lease', async () => {
    const managers = await Promise.all(['a', 'b', 'c', 'd'].map((owner) => LeaseManager.open(kv, owner, 10_000, logger)));
    expect(managers[0]!.ttlMs).toBe(1500); // the bucket's max_age is shorter than asked: it wins
    const leases = await Promise.all(managers.map((m, i) => m.acquire('p1', `run-${i}`)));
    const held = leases.filter((l) => l !== undefined);
    expect(held).toHaveLength(1);
    expect((await managers[1]!.holder('p1'))?.runId).toBe(held[0]!.runId);
    await held[0]!.release();
    expect(await managers[1]!.holder('p1')).toBeUndefined();
    const next = await managers[2]!.acquire('p1', 'run-next');
    expect(next).toBeDefined();
    await next!.release();
  });

  it('keeps a renewed lease past its TTL, and hands an abandoned one to the next claimant once it expired', async () => {
    const a = await LeaseManager.open(kv, 'a', 1500, logger);
    const b = await LeaseManager.open(kv, 'b', 1500, logger);
    const lease = await a.acquire('p2', 'run-a');
    await new Promise((resolve) => setTimeout(resolve, 2500)); // background renewal keeps it
    expect(await b.acquire('p2', 'run-b')).toBeUndefined();
    expect(await lease!.confirm()).toBe(true);

    // Abandon it as a crashed worker would: no more renewals.
    clearInterval((lease as unknown as { timer: NodeJS.Timeout }).timer);
    const taken = await waitFor(() => b.acquire('p2', 'run-b'), { timeoutMs: 10_000, intervalMs: 200, what: 'the expired lease to be free' });
    // The old holder is fenced off: its next confirm fails, so it cannot checkpoint any more.
    expect(await lease!.confirm()).toBe(false);
    expect(lease!.lost).toBe(true);
    await lease!.release(); // does not release b's lease
    expect((await a.holder('p2'))?.owner).toBe('b');
    await taken.release();
  });
});
