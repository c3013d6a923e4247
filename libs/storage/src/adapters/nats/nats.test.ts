import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError, STREAMS, subjectFilter, subjectFor } from '@autoweave/contracts';
import { Bus, provisionStreams } from '@autoweave/messaging';
import { createLogger } from '@autoweave/observability';
import { startNatsServer, type NatsServerHandle } from '@autoweave/testing';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { tmpdir } from 'node:os';
import { registerBuiltins } from '../../builtins.js';
import { StorageAdapterFactory } from '../../registry.js';
import type { CursorPosition, Item } from '../../types.js';
import { NatsAdapter } from './nats.adapter.js';
import type { NatsConfig } from './nats.config.js';

const logger = createLogger({ service: 'storage-test', level: 'silent' });
const factory = registerBuiltins(new StorageAdapterFactory());

interface Read {
  batches: Item[][];
  positions: CursorPosition[];
}

describe('storage - nats adapter against a real JetStream', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let adapter: NatsAdapter;

  const readAll = async (config: NatsConfig, batchSize: number, position?: CursorPosition): Promise<Read> => {
    const cursor = await adapter.createCursor(config, { batchSize, position });
    const out: Read = { batches: [], positions: [] };
    for await (const batch of cursor) {
      out.batches.push(batch.items);
      out.positions.push(JSON.parse(JSON.stringify(batch.position)) as CursorPosition);
    }
    return out;
  };
  const publish = async (topic: string, data: unknown): Promise<void> => {
    await jetstream(nc).publish(subjectFor.event(topic), JSON.stringify(data));
  };
  const consumerCount = async (stream: string): Promise<number> => (await (await jetstreamManager(nc)).streams.info(stream)).state.consumer_count;

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    await provisionStreams(nc, [STREAMS.events], logger);
    adapter = new NatsAdapter({ bus: new Bus(nc, logger), logger, dataDir: tmpdir() });
  });

  afterAll(async () => {
    await adapter?.close();
    await nc?.close();
    await nats?.stop();
  });

  describe('source', () => {
    const users = { subject: subjectFilter.events('user.*') };

    it('reads what matches the filter in batches, then ends; a resumed run reads only what came after', async () => {
      for (let i = 1; i <= 5; i++) await publish('user.created', { id: i, name: `user ${i}` });
      await publish('order.created', { id: 'o1' }); // outside the filter
      await publish('user.deleted', { id: 2 });

      const first = await readAll(users, 2);
      expect(first.batches.map((b) => b.length)).toEqual([2, 2, 2]);
      const items = first.batches.flat();
      expect(items.map((i) => i.id)).toEqual([1, 2, 3, 4, 5, 2]);
      expect(items[0]).toMatchObject({ name: 'user 1', _subject: subjectFor.event('user.created'), _seq: 1 });
      expect(new Date(items[0]!._time as string).getTime()).not.toBeNaN();
      expect(first.positions.at(-1)).toEqual({ seq: 7 });

      expect((await readAll(users, 2, first.positions.at(-1))).batches).toEqual([]);
      await publish('user.created', { id: 6 });
      await publish('order.created', { id: 'o2' });
      const second = await readAll(users, 2, first.positions.at(-1));
      expect(second.batches.flat().map((i) => i.id)).toEqual([6]);
      expect(second.positions).toEqual([{ seq: 8 }]);

      // Resuming mid-way (the position of the first batch) neither repeats nor skips.
      const resumed = await readAll(users, 10, first.positions[0]);
      expect(resumed.batches.flat().map((i) => i.id)).toEqual([3, 4, 5, 2, 6]);
      // Every run removes its ephemeral consumer.
      expect(await consumerCount(STREAMS.events.name)).toBe(0);
    });

    it('reports lag: matching messages after the position, before reading, after a batch, 0 at the end', async () => {
      const lagging = { subject: subjectFilter.events('lag.*') };
      for (let i = 1; i <= 5; i++) {
        await publish('lag.created', { id: i });
        await publish('notlag.created', { id: i }); // outside the filter: never counted
      }
      const cursor = await adapter.createCursor(lagging, { batchSize: 2 });
      expect(await cursor.lag!()).toBe(5);
      const batches = cursor[Symbol.asyncIterator]();
      const first = await batches.next();
      expect(first.done).toBe(false);
      expect(await cursor.lag!()).toBe(3);
      while (!(await batches.next()).done);
      expect(await cursor.lag!()).toBe(0);
      // What arrives after a read ended is its lag; a cursor resuming from its first batch counts from there.
      await publish('lag.updated', { id: 1 });
      expect(await cursor.lag!()).toBe(1);
      const resumed = await adapter.createCursor(lagging, { batchSize: 2, position: first.value!.position });
      expect(await resumed.lag!()).toBe(4);
      await cursor.close();
      await resumed.close();
      // The probe consumers are removed.
      expect(await consumerCount(STREAMS.events.name)).toBe(0);
    });

    it('keeps message data that is not a JSON object', async () => {
      await jetstream(nc).publish(subjectFor.event('raw.text'), 'not json');
      await jetstream(nc).publish(subjectFor.event('raw.array'), JSON.stringify([1, 2]));
      const read = await readAll({ subject: subjectFilter.events('raw.>') }, 10);
      expect(read.batches.flat().map(({ text, value }) => ({ text, value }))).toEqual([
        { text: 'not json', value: undefined },
        { text: undefined, value: [1, 2] },
      ]);
    });

    it('refuses a subject no stream captures, naming the field', async () => {
      await expect(readAll({ subject: 'nowhere.>' }, 10)).rejects.toMatchObject({ code: 'VALIDATION', details: { field: 'subject' } });
    });
  });

  describe('destination', () => {
    const copies = subjectFor.event('copies');

    it('publishes each item and deduplicates a repeated batch within the window', async () => {
      const config: NatsConfig = { subject: copies, keyFields: ['id'] };
      const batch = [
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ];
      expect(await adapter.writeBatch(batch, config)).toEqual({ written: 2 });
      expect(await adapter.writeBatch(batch, config)).toEqual({ written: 2 });
      const read = await readAll({ subject: copies }, 10);
      expect(read.batches.flat().map(({ id, name }) => ({ id, name }))).toEqual(batch);

      // A changed item with the same key is a new message, not a duplicate.
      await adapter.writeBatch([{ id: 1, name: 'a, renamed' }], config);
      const after = await readAll({ subject: copies }, 10, read.positions.at(-1));
      expect(after.batches.flat().map((i) => i.name)).toEqual(['a, renamed']);
    });

    it('appends a validated item field as the last subject token', async () => {
      const config: NatsConfig = { subject: subjectFor.event('orders'), subjectField: 'region', keyFields: ['id'] };
      await adapter.writeBatch([{ id: 1, region: 'eu' }, { id: 2, region: 'us' }], config);
      const eu = await readAll({ subject: subjectFor.event('orders.eu') }, 10);
      expect(eu.batches.flat().map((i) => i.id)).toEqual([1]);

      for (const region of ['eu.*', '>', 'a b', '']) {
        const error = (await adapter.writeBatch([{ id: 3, region: 'ok' }, { id: 4, region }], config).catch((e: unknown) => e)) as AppError;
        expect(error).toMatchObject({ code: 'VALIDATION', details: { field: 'region', index: 1 } });
      }
      // A bad item fails the batch before anything is published.
      expect((await readAll({ subject: subjectFor.event('orders.ok') }, 10).catch(() => ({ batches: [] }))).batches).toEqual([]);
      await expect(adapter.writeBatch([{ region: 'eu' }], config)).rejects.toMatchObject({ code: 'VALIDATION', details: { field: 'id' } });
    });

    it('refuses a subject no stream captures', async () => {
      await expect(adapter.writeBatch([{ id: 1 }], { subject: 'nowhere.at.all' })).rejects.toMatchObject({ code: 'VALIDATION', details: { field: 'subject' } });
    });

    it('checks health: NATS answers and a stream captures the subject', async () => {
      expect(await adapter.healthCheck({ subject: copies })).toMatchObject({ ok: true });
      expect(await adapter.healthCheck({ subject: 'nowhere.at.all' })).toMatchObject({ ok: false });
    });
  });

  describe('config', () => {
    it.each([
      ['source', { subject: 'events.>.x' }, 'source.config.subject'],
      ['source', { subject: 'events..x' }, 'source.config.subject'],
      ['source', { subject: 'events.a b' }, 'source.config.subject'],
      ['source', { subject: 'events.>', keyFields: ['id'] }, 'source.config.keyFields'],
      ['destination', { subject: 'events.*' }, 'destination.config.subject'],
      ['destination', { subject: 'events.>' }, 'destination.config.subject'],
      ['destination', { subject: '$JS.API.STREAM.DELETE.EVENTS' }, 'destination.config.subject'],
      ['destination', { subject: 'events.x', subjectField: 'a.b' }, 'destination.config.subjectField'],
      ['destination', { subject: 'events.x', stream: 'EVENTS; x' }, 'destination.config.stream'],
      ['destination', {}, 'destination.config.subject'],
    ])('refuses a %s config %j', (role, config, field) => {
      let error: AppError | undefined;
      try {
        factory.validateAdapterConfig('nats', role as 'source', config, role);
      } catch (err) {
        error = err as AppError;
      }
      expect(error).toMatchObject({ code: 'VALIDATION', details: { field } });
    });

    it('accepts filters for a source and plain subjects for a destination', () => {
      expect(() => factory.validateAdapterConfig('nats', 'source', { subject: STREAMS.webhooksIn.subjects[0] }, 'source')).not.toThrow();
      expect(() => factory.validateAdapterConfig('nats', 'destination', { subject: subjectFor.event('copies'), keyFields: ['id'] }, 'destination')).not.toThrow();
    });
  });
});
