import { STREAMS, type StreamSpec } from '@autoweave/contracts';
import type { StreamLimits } from '@autoweave/messaging';
import type { Logger } from '@autoweave/observability';
import type { JetStreamManager } from '@nats-io/jetstream';

const NANOS_PER_MS = 1_000_000;

/**
 * How long WEBHOOKS_IN remembers a webhook-id. A webhook is accepted while
 * its timestamp is within the tolerance (at most 5 minutes) either side of
 * now, so its copies can arrive up to twice the tolerance apart: a replay
 * inside the tolerance is dropped as a duplicate, one after it is refused by
 * the timestamp check.
 */
export const WEBHOOKS_IN_DUPLICATE_WINDOW_MS = 10 * 60 * 1000;

/** WEBHOOKS_IN as the gateway provisions it. */
export const WEBHOOKS_IN_STREAM: StreamSpec & { limits: StreamLimits } = {
  ...STREAMS.webhooksIn,
  limits: { duplicateWindowMs: WEBHOOKS_IN_DUPLICATE_WINDOW_MS },
};

/**
 * Provisioning sets limits only when it creates a stream; a WEBHOOKS_IN made
 * earlier with a shorter duplicate window would let replays through, so it is
 * widened here at start.
 */
export async function ensureReplayWindow(jsm: JetStreamManager, logger: Logger): Promise<void> {
  const info = await jsm.streams.info(STREAMS.webhooksIn.name);
  const wanted = WEBHOOKS_IN_DUPLICATE_WINDOW_MS * NANOS_PER_MS;
  if ((info.config.duplicate_window ?? 0) >= wanted) return;
  await jsm.streams.update(STREAMS.webhooksIn.name, { ...info.config, duplicate_window: wanted });
  logger.info({ stream: STREAMS.webhooksIn.name, duplicateWindowMs: WEBHOOKS_IN_DUPLICATE_WINDOW_MS }, 'stream duplicate window widened');
}
