import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BUCKETS, STREAMS, subjectFor } from '@autoweave/contracts';
import { connectNats, provisionBuckets, provisionStreams, type NatsConnection } from '@autoweave/messaging';
import { createLogger } from '@autoweave/observability';
import { startNatsServer, type NatsServerHandle } from '@autoweave/testing';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { headers } from '@nats-io/transport-node';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backup } from './backup.js';
import { MANIFEST_FILE, type Manifest } from './manifest.js';
import { restore } from './restore.js';
import { backupTargets } from './targets.js';

const logger = createLogger({ service: 'backup-test', level: 'silent' });
const connect = (url: string): Promise<NatsConnection> => connectNats({ url, name: 'backup-test', connectTimeoutMs: 5000 }, logger);

/** What a stream looks like from outside: enough to tell a faithful restore from a re-publish. */
async function describeStream(jsm: JetStreamManager, name: string) {
  const info = await jsm.streams.info(name);
  // An empty stream reports first_seq 0 when never written and 1 when restored: both mean "next is last + 1".
  const first = info.state.messages > 0 ? info.state.first_seq : undefined;
  return { subjects: info.config.subjects, maxAge: info.config.max_age, first, last: info.state.last_seq, messages: info.state.messages };
}

describe('backup and restore between two nats-servers', () => {
  let source: NatsServerHandle;
  let target: NatsServerHandle;
  let src: NatsConnection;
  let dst: NatsConnection;
  const dirs: string[] = [];
  const newDir = (): string => {
    const dir = join(mkdtempSync(join(tmpdir(), 'autoweave-backup-test-')), 'backup');
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    [source, target] = await Promise.all([startNatsServer(), startNatsServer()]);
    [src, dst] = await Promise.all([connect(source.url), connect(target.url)]);
    // The source holds what the services would have made: every stream, the buckets the services create.
    await provisionStreams(src, Object.values(STREAMS), logger);
    const buckets = await provisionBuckets(src, [BUCKETS.integrations, BUCKETS.pipelines, BUCKETS.pipelineCursors, BUCKETS.webhookEndpoints], logger);
    const js = jetstream(src);
    for (let i = 1; i <= 30; i++) {
      const h = headers();
      h.set('x-correlation-id', `corr-${i}`);
      await js.publish(subjectFor.event(`user.created`), JSON.stringify({ i }), { headers: h });
    }
    // A gap at the start: the first messages are purged, so a restore must keep sequence numbers, not renumber.
    await (await jetstreamManager(src)).streams.purge(STREAMS.events.name, { seq: 11 });
    await js.publish(subjectFor.audit('key1'), JSON.stringify({ route: 'GET /api/integration' }));
    const integrations = buckets.get(BUCKETS.integrations)!;
    await integrations.put('int-1', JSON.stringify({ id: 'int-1', name: 'petstore' }));
    await integrations.put('int-1', JSON.stringify({ id: 'int-1', name: 'petstore', revision: 2 }));
    await integrations.put('int-2', JSON.stringify({ id: 'int-2', name: 'crm' }));
    await integrations.delete('int-2');
    await buckets.get(BUCKETS.pipelines)!.put('pipe-1', JSON.stringify({ id: 'pipe-1' }));
    await buckets.get(BUCKETS.pipelineCursors)!.put('pipe-1', JSON.stringify({ cursor: 42 }));
    // A durable consumer that has acknowledged the first 5 of its messages.
    const jsm = await jetstreamManager(src);
    await jsm.consumers.add(STREAMS.events.name, { durable_name: 'webhook-endpoint-ep1', ack_policy: AckPolicy.Explicit, filter_subject: 'events.>' });
    const consumer = await js.consumers.get(STREAMS.events.name, 'webhook-endpoint-ep1');
    const batch = await consumer.fetch({ max_messages: 5, expires: 2000 });
    for await (const m of batch) m.ack();
    await src.flush();
  });

  afterAll(async () => {
    await Promise.all([src?.close(), dst?.close()]);
    await Promise.all([source?.stop(), target?.stop()]);
    for (const dir of dirs) rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('brings back every stream and bucket with its sequence numbers, values, history and consumers', async () => {
    const dir = newDir();
    const manifest = await backup(src, dir, logger);
    expect(manifest.streams.map((s) => s.stream)).toEqual(backupTargets().map((t) => t.stream));
    // Buckets no service created on this server are recorded as absent, not invented.
    expect(manifest.streams.find((s) => s.stream === `KV_${BUCKETS.apiKeys}`)?.absent).toBe(true);

    const restored = await restore(dst, dir, logger);
    expect(restored.every((r) => r.differences.length === 0)).toBe(true);

    const [srcJsm, dstJsm] = await Promise.all([jetstreamManager(src), jetstreamManager(dst)]);
    for (const entry of manifest.streams.filter((s) => !s.absent)) {
      expect(await describeStream(dstJsm, entry.stream)).toEqual(await describeStream(srcJsm, entry.stream));
    }
    const events = await describeStream(dstJsm, STREAMS.events.name);
    expect(events).toMatchObject({ first: 11, last: 30, messages: 20 });

    // A message keeps its sequence, subject, data and headers.
    const msg = await dstJsm.streams.getMessage(STREAMS.events.name, { seq: 12 });
    expect(msg?.subject).toBe(subjectFor.event('user.created'));
    expect(msg?.json<{ i: number }>()).toEqual({ i: 12 });
    expect(msg?.header.get('x-correlation-id')).toBe('corr-12');

    // KV: latest values, history and deletes are back.
    const kv = await new Kvm(dst).open(BUCKETS.integrations);
    expect((await kv.get('int-1'))?.json()).toEqual({ id: 'int-1', name: 'petstore', revision: 2 });
    expect((await kv.get('int-1'))?.revision).toBe(2);
    expect((await kv.get('int-2'))?.operation).toBe('DEL');
    const history = [];
    for await (const e of await kv.history({ key: 'int-1' })) history.push(e.revision);
    expect(history).toEqual([1, 2]);
    expect((await (await new Kvm(dst).open(BUCKETS.pipelineCursors)).get('pipe-1'))?.json()).toEqual({ cursor: 42 });

    // The durable consumer resumes where it was: the next message it gets is the 6th it sees (sequence 16).
    const info = await dstJsm.consumers.info(STREAMS.events.name, 'webhook-endpoint-ep1');
    expect(info.ack_floor.stream_seq).toBe(15);
    const next = await (await jetstream(dst).consumers.get(STREAMS.events.name, 'webhook-endpoint-ep1')).next({ expires: 5000 });
    expect(next?.seq).toBe(16);
    next?.ack();
  });

  it('refuses to restore over streams that hold messages, and replaces them with force', async () => {
    const dir = newDir();
    await backup(src, dir, logger);
    // The target still holds the previous test's restore.
    await expect(restore(dst, dir, logger)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`${STREAMS.events.name} (`) });
    await jetstream(dst).publish(subjectFor.event('extra.one'), 'x');
    const restored = await restore(dst, dir, logger, { force: true });
    expect(restored.find((r) => r.stream === STREAMS.events.name)).toMatchObject({ messages: 20, lastSeq: 30, differences: [] });
  });

  it('replaces streams a service provisioned empty on the fresh server without --force', async () => {
    const dir = newDir();
    await backup(src, dir, logger);
    const fresh = await startNatsServer();
    const nc = await connect(fresh.url);
    try {
      await provisionStreams(nc, Object.values(STREAMS), logger);
      await provisionBuckets(nc, [BUCKETS.integrations], logger);
      const restored = await restore(nc, dir, logger);
      expect(restored.find((r) => r.stream === `KV_${BUCKETS.integrations}`)).toMatchObject({ messages: 4, differences: [] });
    } finally {
      await nc.close();
      await fresh.stop();
    }
  });

  it('refuses a damaged backup before changing anything', async () => {
    const dir = newDir();
    const manifest = await backup(src, dir, logger);
    const file = join(dir, manifest.streams.find((s) => s.stream === STREAMS.events.name)!.file!);
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(file, bytes);
    const fresh = await startNatsServer();
    const nc = await connect(fresh.url);
    try {
      await expect(restore(nc, dir, logger)).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('damaged') });
      const names: string[] = [];
      for await (const name of (await jetstreamManager(nc)).streams.names()) names.push(name);
      expect(names).toEqual([]);
    } finally {
      await nc.close();
      await fresh.stop();
    }
  });

  it('refuses a folder that is not a backup, and backs up only into an empty folder', async () => {
    const dir = newDir();
    await expect(restore(dst, dir, logger)).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining(MANIFEST_FILE) });
    await backup(src, dir, logger);
    await expect(backup(src, dir, logger)).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('not empty') });
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
    writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify({ ...manifest, version: 99 }));
    await expect(restore(dst, dir, logger, { force: true })).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('version 99') });
  });

  it('streams a snapshot larger than the server\'s flow-control window in many chunks, both ways', async () => {
    // 12 MiB of incompressible log entries: past the 8 MiB the server sends before it waits for chunk acks.
    const js = jetstream(src);
    for (let i = 0; i < 48; i++) await js.publish(subjectFor.integrationLog('big'), randomBytes(256 * 1024));
    const dir = newDir();
    const targets = [{ stream: STREAMS.integrationLogs.name, kind: 'stream' as const }];
    const manifest = await backup(src, dir, logger, { targets, chunkBytes: 64 * 1024 });
    expect(manifest.streams[0]!.bytes).toBeGreaterThan(12 * 1024 * 1024);
    const fresh = await startNatsServer();
    const nc = await connect(fresh.url);
    try {
      const [restored] = await restore(nc, dir, logger, { chunkBytes: 64 * 1024 });
      expect(restored).toMatchObject({ messages: 48, differences: [] });
      const original = await (await jetstreamManager(src)).streams.getMessage(STREAMS.integrationLogs.name, { seq: 48 });
      const copy = await (await jetstreamManager(nc)).streams.getMessage(STREAMS.integrationLogs.name, { seq: 48 });
      expect(Buffer.from(copy!.data).equals(Buffer.from(original!.data))).toBe(true);
    } finally {
      await nc.close();
      await fresh.stop();
    }
  });
});
