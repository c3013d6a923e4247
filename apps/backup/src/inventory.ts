import type { NatsConnection } from '@autoweave/messaging';
import { openJetStream } from './js-api.js';
import { isStreamNotFound } from './backup.js';
import { backupTargets } from './targets.js';

/** What one stream holds: what a restore must reproduce. */
export interface StreamInventory {
  stream: string;
  messages: number;
  lastSeq: number;
  consumers: string[];
}

/** The streams and buckets of the catalogue that exist on a server, with their counts and consumers. */
export async function inventory(nc: NatsConnection): Promise<StreamInventory[]> {
  const jsm = await openJetStream(nc);
  const out: StreamInventory[] = [];
  for (const { stream } of backupTargets()) {
    const info = await jsm.streams.info(stream).catch((err: unknown) => {
      if (isStreamNotFound(err)) return undefined;
      throw err;
    });
    if (!info) continue;
    const consumers: string[] = [];
    for await (const consumer of jsm.consumers.list(stream)) consumers.push(consumer.name);
    out.push({ stream, messages: info.state.messages, lastSeq: info.state.last_seq, consumers: consumers.sort() });
  }
  return out;
}
