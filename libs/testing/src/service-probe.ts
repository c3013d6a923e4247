import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startNatsServer, type NatsServerHandle } from './nats-server.js';

/** What `start` hands back: the shape of service-kit's RunningService, without depending on it. */
export interface StartedService {
  healthPort?: number;
  stop(): Promise<void>;
}

export interface ServiceProbeOptions {
  /** Starts the service in-process against `natsUrl` (use health port 0). */
  start: (natsUrl: string) => Promise<StartedService>;
  /** The subject the service answers `<service>.ping` on. */
  pingSubject: string;
  /** JetStream streams that must exist once the service is up. */
  streams?: readonly string[];
  /** KV buckets that must exist once the service is up. */
  buckets?: readonly string[];
  /** How long to wait for `/health/ready` to turn unready after NATS stops (default 15 s). */
  unreadyTimeoutMs?: number;
}

export interface HttpReply {
  status: number;
  body: string;
}

/** What a service showed from the outside; the test asserts on it. */
export interface ServiceProbe {
  /** The decoded reply to the ping subject. */
  ping: unknown;
  live: HttpReply;
  ready: HttpReply;
  metrics: HttpReply;
  /** name -> whether the stream exists after start-up. */
  streams: Record<string, boolean>;
  /** name -> whether the bucket exists after start-up. */
  buckets: Record<string, boolean>;
  /** `/health/ready` after the nats-server stopped: the first non-200 reply, or the last 200 at the deadline. */
  readyWithoutNats: HttpReply;
}

/**
 * The smoke check every service gets: starts a private nats-server, starts the
 * service through `start`, then observes it only from the outside (a plain NATS
 * client, its health port, JetStream), stops the nats-server and watches
 * readiness fall, and finally stops the service and the server.
 */
export async function probeService(options: ServiceProbeOptions): Promise<ServiceProbe> {
  const nats: NatsServerHandle = await startNatsServer();
  let service: StartedService | undefined;
  let client: NatsConnection | undefined;
  try {
    service = await options.start(nats.url);
    const port = service.healthPort;
    if (port === undefined) throw new Error('the service reported no health port');
    const get = (path: string) => httpGet(`http://127.0.0.1:${port}${path}`);

    client = await connect({ servers: nats.url, name: 'service-probe' });
    const reply = await client.request(options.pingSubject, '', { timeout: 5000 });
    const ping: unknown = JSON.parse(new TextDecoder().decode(reply.data));

    const live = await get('/health/live');
    const ready = await get('/health/ready');
    const metrics = await get('/metrics');

    const jsm = await jetstreamManager(client);
    const streams: Record<string, boolean> = {};
    for (const name of options.streams ?? []) {
      streams[name] = await jsm.streams.info(name).then(
        () => true,
        () => false,
      );
    }
    const kvm = new Kvm(client);
    const buckets: Record<string, boolean> = {};
    for (const name of options.buckets ?? []) {
      // open() only binds; status() asks the server and fails when the bucket is absent.
      buckets[name] = await kvm
        .open(name)
        .then((kv) => kv.status())
        .then(
          () => true,
          () => false,
        );
    }
    await client.close();
    client = undefined;

    await nats.stop();
    const readyWithoutNats = await pollUntilNot200(() => get('/health/ready'), options.unreadyTimeoutMs ?? 15_000);

    return { ping, live, ready, metrics, streams, buckets, readyWithoutNats };
  } finally {
    await client?.close().catch(() => undefined);
    await service?.stop();
    await nats.stop();
  }
}

async function httpGet(url: string): Promise<HttpReply> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text() };
}

async function pollUntilNot200(probe: () => Promise<HttpReply>, timeoutMs: number): Promise<HttpReply> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await probe();
    if (reply.status !== 200 || Date.now() > deadline) return reply;
    await new Promise((r) => setTimeout(r, 100));
  }
}
