import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@autoweave/observability';
import { startNatsServer, type NatsServerHandle } from '@autoweave/testing';
import { Kvm, type KV } from '@nats-io/kv';
import { connectNats, rewriteKvRecords, type NatsConnection } from './index.js';

const logger = createLogger({ service: 'test', level: 'silent' });

interface Rec {
  name: string;
  secret: string;
  note?: string;
}

describe('rewriteKvRecords - compare-and-set walk over a real KV bucket', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let kv: KV;

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connectNats({ url: nats.url, name: 'kv-rewrite-test' }, logger);
    kv = await new Kvm(nc).create('rewrite_test');
  });

  afterAll(async () => {
    await nc?.drain();
    await nats?.stop();
  });

  const read = async (key: string) => {
    const entry = await kv.get(key);
    return { record: entry!.json<Rec>(), revision: entry!.revision };
  };

  it('rewrites only what changes, keeps a concurrent update, reports a failing record and goes on', async () => {
    await kv.put('r.a', JSON.stringify({ name: 'a', secret: 'old:1' }));
    await kv.put('r.b', JSON.stringify({ name: 'b', secret: 'new:2' }));
    await kv.put('r.c', JSON.stringify({ name: 'c', secret: 'old:3' }));
    await kv.put('r.d', JSON.stringify({ name: 'd', secret: 'broken' }));
    await kv.put('other.x', JSON.stringify({ name: 'x', secret: 'old:9' }));
    const untouched = await read('r.b');

    let raced = false;
    const result = await rewriteKvRecords<Rec>(kv, {
      prefix: 'r.',
      rewrite: (record, key) => {
        if (record.secret === 'broken') throw new Error(`cannot open the secret of ${key}`);
        if (!record.secret.startsWith('old:')) return undefined;
        if (key === 'r.c' && !raced) {
          // Another writer updates the record between our read and our write: its change must survive.
          raced = true;
          void kv.put('r.c', JSON.stringify({ ...record, note: 'concurrent' }));
        }
        return { ...record, secret: record.secret.replace('old:', 'new:') };
      },
    });

    expect(result.rewritten).toBe(2);
    expect(result.scanned).toBe(4);
    expect(result.failed).toEqual([{ key: 'r.d', error: 'cannot open the secret of r.d' }]);
    expect((await read('r.a')).record).toEqual({ name: 'a', secret: 'new:1' });
    expect(await read('r.b')).toEqual(untouched);
    expect((await read('r.c')).record).toEqual({ name: 'c', secret: 'new:3', note: 'concurrent' });
    expect((await read('other.x')).record.secret).toBe('old:9');
  });
});
