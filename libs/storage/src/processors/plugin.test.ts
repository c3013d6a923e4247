import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError, INTEGRATION_ADMIN, INTEGRATION_REQUEST, type Envelope, type ExecuteRequestDto } from '@autoweave/contracts';
import { Bus } from '@autoweave/messaging';
import { createLogger } from '@autoweave/observability';
import { startNatsServer, type NatsServerHandle } from '@autoweave/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { fieldOf, processor, testContext, validationError, factory } from '../testing/processor-harness.js';

const PLUGIN_ID = '5d6f8e0a-3c1b-4a2e-9f10-2b7c4d5e6f70';

/**
 * The `plugin` processor against a stand-in for the hub on a real NATS
 * server: it answers `integration.admin.list` with one plugin integration and
 * runs `processData` for it by the rules of the test's plugin (the real plugin
 * host is exercised by the hub's own plugin tests).
 */
describe('storage - the plugin processor', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let bus: Bus;
  const calls: ExecuteRequestDto[] = [];

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    bus = new Bus(await connect({ servers: nats.url }), createLogger({ service: 'storage-test', level: 'silent' }));
    nc.subscribe(INTEGRATION_ADMIN.list, {
      callback: (_err, msg) => msg.respond(JSON.stringify({ ok: true, data: { items: [{ id: PLUGIN_ID, name: 'Enricher', type: 'plugin' }], total: 1 } })),
    });
    nc.subscribe(INTEGRATION_REQUEST.execute, {
      callback: (_err, msg) => {
        const dto = msg.json<ExecuteRequestDto>();
        calls.push(dto);
        const params = dto.params ?? {};
        const body = params.drop ? null : params.split ? [{ part: 1 }, { part: 2 }] : params.bad ? 'a string' : { ...params, enriched: true };
        const envelope: Envelope<unknown> = params.fail
          ? { ok: false, error: { code: 'UPSTREAM', message: 'plugin Enricher failed: cannot enrich' } }
          : { ok: true, data: { status: 200, headers: {}, body, durationMs: 1 } };
        msg.respond(JSON.stringify(envelope));
      },
    });
    await nc.flush();
  });

  afterAll(async () => {
    await bus?.drain();
    await nc?.close();
    await nats?.stop();
  });

  it('runs each item through processData of the plugin named, found by name case-insensitively', async () => {
    const run = await processor('plugin', { name: 'enricher', timeoutMs: 2000 }, testContext({ bus }));
    expect(await run({ id: 1 })).toEqual({ id: 1, enriched: true });
    expect(calls.at(-1)).toEqual({ integrationId: PLUGIN_ID, action: 'processData', params: { id: 1 }, timeoutMs: 2000 });
  });

  it.each([
    ['null drops the item', { drop: true }, null],
    ['an array makes several items', { split: true }, [{ part: 1 }, { part: 2 }]],
  ])('%s', async (_case, item, expected) => {
    const run = await processor('plugin', { name: 'Enricher' }, testContext({ bus }));
    expect(await run(item)).toEqual(expected);
  });

  it('throws (the item goes to the dead-letter stream) when the plugin fails or returns something that is not items', async () => {
    const run = await processor('plugin', { name: 'Enricher' }, testContext({ bus }));
    await expect(run({ fail: true })).rejects.toMatchObject({ code: 'UPSTREAM', message: expect.stringContaining('cannot enrich') });
    await expect(run({ bad: true })).rejects.toMatchObject({ code: 'UPSTREAM', message: expect.stringContaining('returned string') });
  });

  it('refuses an unknown plugin name when the run starts, and a config without a name', async () => {
    await expect(processor('plugin', { name: 'nope' }, testContext({ bus }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(fieldOf(validationError(() => factory.validateProcessorConfig('plugin', {}, 'processors[0]')))).toBe('processors[0].config.name');
    await expect(processor('plugin', { name: 'Enricher' })).rejects.toBeInstanceOf(AppError);
  });
});
