import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { STREAMS } from '@autoweave/contracts';
import { provisionStreams } from '@autoweave/messaging';
import { createLogger } from '@autoweave/observability';
import { startNatsServer, type NatsServerHandle } from '@autoweave/testing';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ensureReplayWindow, WEBHOOKS_IN_DUPLICATE_WINDOW_MS, WEBHOOKS_IN_STREAM } from './replay-window.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const NANOS_PER_MS = 1e6;

describe('inbound - the replay window of WEBHOOKS_IN', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    jsm = await jetstreamManager(nc);
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  it('is created with a duplicate window of twice the largest tolerance', async () => {
    await provisionStreams(nc, [WEBHOOKS_IN_STREAM], logger);
    expect((await jsm.streams.info(STREAMS.webhooksIn.name)).config.duplicate_window).toBe(WEBHOOKS_IN_DUPLICATE_WINDOW_MS * NANOS_PER_MS);
    await jsm.streams.delete(STREAMS.webhooksIn.name);
  });

  it('widens the window of a WEBHOOKS_IN made earlier with the default one, and leaves a wide enough one alone', async () => {
    await provisionStreams(nc, [STREAMS.webhooksIn], logger); // the 2-minute default
    expect((await jsm.streams.info(STREAMS.webhooksIn.name)).config.duplicate_window).toBeLessThan(WEBHOOKS_IN_DUPLICATE_WINDOW_MS * NANOS_PER_MS);
    await ensureReplayWindow(jsm, logger);
    const widened = await jsm.streams.info(STREAMS.webhooksIn.name);
    expect(widened.config.duplicate_window).toBe(WEBHOOKS_IN_DUPLICATE_WINDOW_MS * NANOS_PER_MS);
    expect(widened.config.subjects).toEqual([...STREAMS.webhooksIn.subjects]);
    await ensureReplayWindow(jsm, logger);
    expect((await jsm.streams.info(STREAMS.webhooksIn.name)).config.duplicate_window).toBe(WEBHOOKS_IN_DUPLICATE_WINDOW_MS * NANOS_PER_MS);
  });
});
