import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError, STREAMS, subjectFor } from '@autoweave/contracts';
import { startNatsServer, type NatsServerHandle } from '@autoweave/testing';
import { jetstreamManager, PubHeaders, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { JetStreamPublisher } from './jetstream-publisher.js';

const body = new TextEncoder().encode('{"type":"a.b"}');
const withMsgId = (id?: string) => {
  const h = headers();
  if (id) h.set(PubHeaders.MsgIdHdr, id);
  return h;
};

describe('inbound - JetStreamPublisher on a real nats-server', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let publisher: JetStreamPublisher;

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: STREAMS.webhooksIn.name, subjects: [...STREAMS.webhooksIn.subjects], retention: RetentionPolicy.Limits, storage: StorageType.File });
    publisher = new JetStreamPublisher(nc, 300);
  });

  afterAll(async () => {
    publisher?.close();
    await nc?.close();
    await nats?.stop();
  });

  it('resolves with the stream acknowledgement, and reports a repeated Nats-Msg-Id as a duplicate', async () => {
    const subject = subjectFor.webhookIn('i1', 'a.b');
    const first = await publisher.publish(subject, body, withMsgId('m1'));
    const again = await publisher.publish(subject, body, withMsgId('m1'));
    expect(first).toEqual({ stream: STREAMS.webhooksIn.name, seq: expect.any(Number), duplicate: false });
    expect(again).toEqual({ stream: STREAMS.webhooksIn.name, seq: first.seq, duplicate: true });
  });

  it('matches each acknowledgement to its publish when many are in flight', async () => {
    const acks = await Promise.all(Array.from({ length: 200 }, (_, i) => publisher.publish(subjectFor.webhookIn('i2', 'a.b'), body, withMsgId(`many-${i}`))));
    expect(new Set(acks.map((a) => a.seq)).size).toBe(200);
    expect(acks.every((a) => !a.duplicate)).toBe(true);
  });

  it.each<[string, () => Promise<unknown>, string, RegExp]>([
    ['no stream captures the subject', () => publisher.publish(subjectFor.event('not.captured'), body, withMsgId()), 'UNAVAILABLE', /no stream captures/],
    [
      'the stream refuses the message',
      () => {
        const h = withMsgId();
        h.set(PubHeaders.ExpectedLastSeqHdr, '999999');
        return publisher.publish(subjectFor.webhookIn('i3', 'a.b'), body, h);
      },
      'UNAVAILABLE',
      /JetStream refused .*: .*sequence/i,
    ],
  ])('rejects when %s', async (_name, publish, code, message) => {
    const err = await publish().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code, message: expect.stringMatching(message) });
  });

  it('rejects with TIMEOUT when no acknowledgement comes in time', async () => {
    const subject = subjectFor.event('silent.listener');
    const sub = nc.subscribe(subject, { callback: () => undefined }); // takes the message, never answers
    await nc.flush();
    try {
      const err = await publisher.publish(subject, body, withMsgId()).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'TIMEOUT', message: expect.stringMatching(/no acknowledgement .* within 300 ms/) });
    } finally {
      sub.unsubscribe();
    }
  });

  it('rejects what is still waiting when closed', async () => {
    const own = new JetStreamPublisher(nc, 10_000);
    const subject = subjectFor.event('silent.again');
    const sub = nc.subscribe(subject, { callback: () => undefined });
    await nc.flush();
    const waiting = own.publish(subject, body, withMsgId()).catch((e: unknown) => e);
    own.close();
    expect(await waiting).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/stopped waiting/) });
    sub.unsubscribe();
  });
});
