import type { NatsConnection } from '@nats-io/transport-node';

/** What a NATS micro service answers to `$SRV.PING` / `$SRV.INFO` (io.nats.micro.v1). */
export interface MicroServiceInfo {
  name: string;
  id: string;
  version?: string;
  description?: string;
  metadata?: Record<string, string>;
  endpoints?: Array<{ name?: string; subject?: string; metadata?: Record<string, string> | null }>;
}

/** Asks every micro service on the bus `subject` and collects the answers for `maxWaitMs`. */
async function gather(nc: NatsConnection, subject: string, maxWaitMs: number): Promise<MicroServiceInfo[]> {
  const found: MicroServiceInfo[] = [];
  let replies: AsyncIterable<{ data: Uint8Array; string(): string }>;
  try {
    replies = await nc.requestMany(subject, '', { strategy: 'timer', maxWait: maxWaitMs });
  } catch {
    return found;
  }
  try {
    for await (const msg of replies) {
      if (msg.data.length === 0) continue; // no-responders status
      try {
        const info = JSON.parse(msg.string()) as Partial<MicroServiceInfo>;
        if (typeof info.name === 'string' && typeof info.id === 'string') found.push(info as MicroServiceInfo);
      } catch {
        // not a micro service answer
      }
    }
  } catch {
    // 503 no responders ends the iteration with an error: nobody is there
  }
  return found;
}

/** `$SRV.PING`: every live micro service instance (name, id, version, metadata). */
export function pingAll(nc: NatsConnection, maxWaitMs: number): Promise<MicroServiceInfo[]> {
  return gather(nc, '$SRV.PING', maxWaitMs);
}

/** `$SRV.INFO.<name>.<id>`: one instance's description and endpoints. */
export async function infoOf(nc: NatsConnection, name: string, id: string, timeoutMs: number): Promise<MicroServiceInfo | undefined> {
  try {
    const msg = await nc.request(`$SRV.INFO.${name}.${id}`, '', { timeout: timeoutMs });
    return JSON.parse(msg.string()) as MicroServiceInfo;
  } catch {
    return undefined;
  }
}
