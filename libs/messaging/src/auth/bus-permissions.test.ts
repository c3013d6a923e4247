import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BUCKETS, CATALOGUE_SUBJECTS, INTEGRATION_ADMIN, SERVICE_GRANTS, STREAMS, subjectFor, subjectMatches, type ServiceUser } from '@autoweave/contracts';
import { startNatsServer, type NatsServerHandle } from '@autoweave/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, nkeyAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { createBusCredentials, renderAuthorization, seedOf, type BusCredential } from './bus-credentials.js';
import { natsPermissions, permits } from './nats-permissions.js';

const SERVICES = Object.keys(SERVICE_GRANTS) as ServiceUser[];

describe('subject matching', () => {
  it('follows NATS wildcards', () => {
    expect(subjectMatches('a.*.c', 'a.b.c')).toBe(true);
    expect(subjectMatches('a.*.c', 'a.b.d')).toBe(false);
    expect(subjectMatches('a.>', 'a.b.c')).toBe(true);
    expect(subjectMatches('a.>', 'a')).toBe(false);
    expect(subjectMatches('a.b', 'a.b.c')).toBe(false);
  });
});

describe('bus permissions generated from libs/contracts, enforced by a real nats-server', () => {
  let nats: NatsServerHandle;
  let credentials: BusCredential[];
  const open = new Map<BusCredential['user'], Promise<NatsConnection>>();
  /** One connection per user for the whole file: fewer connects on a loaded CI machine. */
  const as = (user: BusCredential['user']): Promise<NatsConnection> => {
    if (!open.has(user)) open.set(user, connect({ servers: nats.url, timeout: 30_000, authenticator: nkeyAuthenticator(new TextEncoder().encode(seedOf(credentials, user))) }));
    return open.get(user)!;
  };
  /** `refused` when the server denies publishing it; anything else (no responders, a reply) means it was let through. */
  const tryRequest = async (nc: NatsConnection, subject: string): Promise<'refused' | 'allowed'> => {
    try {
      await nc.request(subject, '{}', { timeout: 500 });
      return 'allowed';
    } catch (err) {
      return /Permissions Violation/.test(String((err as Error).message)) ? 'refused' : 'allowed';
    }
  };
  const trySubscribe = async (nc: NatsConnection, subject: string): Promise<'refused' | 'allowed'> => {
    const sub = nc.subscribe(subject);
    const closed = sub.closed.then((err) => (err ? 'refused' : 'allowed') as 'refused' | 'allowed');
    // The server answers a refused SUB with -ERR before the PONG of the flush.
    await nc.flush();
    const outcome = await Promise.race([closed, new Promise<'allowed'>((resolve) => setTimeout(() => resolve('allowed'), 50))]);
    sub.unsubscribe();
    return outcome;
  };

  beforeAll(async () => {
    credentials = createBusCredentials();
    nats = await startNatsServer({ config: renderAuthorization(credentials) });
  });

  afterAll(async () => {
    await Promise.all([...open.values()].map(async (nc) => (await nc).close()));
    await nats?.stop();
  });

  it('refuses a client without credentials, and one with a key it does not know', async () => {
    await expect(connect({ servers: nats.url })).rejects.toThrow(/Authorization Violation/);
    const stranger = createBusCredentials()[0]!;
    await expect(connect({ servers: nats.url, authenticator: nkeyAuthenticator(new TextEncoder().encode(stranger.seed)) })).rejects.toThrow(/Authorization Violation/);
  });

  it.each(SERVICES)('lets %s send only to the catalogue subjects it calls or publishes', async (service) => {
    const nc = await as(service);
    const allow = natsPermissions(SERVICE_GRANTS[service]).publish.allow;
    const outcomes = await Promise.all(CATALOGUE_SUBJECTS.map(async (subject) => [subject, await tryRequest(nc, subject)] as const));
    for (const [subject, outcome] of outcomes) expect(`${subject}: ${outcome}`).toBe(`${subject}: ${permits(allow, subject) ? 'allowed' : 'refused'}`);
    // Every service is refused somewhere: no grant is "everything".
    expect(outcomes.some(([, outcome]) => outcome === 'refused')).toBe(true);
  });

  it.each(SERVICES)('lets %s listen only to the catalogue subjects it serves or consumes', async (service) => {
    const nc = await as(service);
    const allow = natsPermissions(SERVICE_GRANTS[service]).subscribe.allow;
    for (const subject of CATALOGUE_SUBJECTS) {
      expect(`${subject}: ${await trySubscribe(nc, subject)}`).toBe(`${subject}: ${permits(allow, subject) ? 'allowed' : 'refused'}`);
    }
  });

  it('lets a service answer the requests it serves (replies go back through allow_responses)', async () => {
    const hub = await as('hub');
    hub.subscribe(INTEGRATION_ADMIN.list, { callback: (_err, msg) => msg.respond('{"ok":true}') });
    await hub.flush();
    const gateway = await as('webhook-gateway');
    expect((await gateway.request(INTEGRATION_ADMIN.list, '{}', { timeout: 2000 })).string()).toBe('{"ok":true}');
    // The hub may not publish into the gateway's inboxes on its own.
    expect(await tryRequest(hub, `_INBOX.${'x'.repeat(8)}`)).toBe('refused');
  });

  it('keeps the registry writable by the hub alone; readers read, others see nothing', async () => {
    const hubKv = await new Kvm(await as('hub')).create(BUCKETS.integrations, { history: 5 });
    await hubKv.put('record.1', '{"id":"1"}');
    const gatewayKv = await new Kvm(await as('webhook-gateway')).open(BUCKETS.integrations);
    expect((await gatewayKv.get('record.1'))?.string()).toBe('{"id":"1"}');
    await expect(gatewayKv.put('record.1', '{"id":"evil"}')).rejects.toThrow(/Permissions Violation/);
    const discoveryKv = await new Kvm(await as('discovery')).open(BUCKETS.integrations);
    await expect(discoveryKv.get('record.1')).rejects.toThrow(/Permissions Violation|timeout/i);
    expect((await hubKv.get('record.1'))?.string()).toBe('{"id":"1"}');
  });

  it('scopes the JetStream API by stream: the audit log is append-only for the gateway, and other services cannot touch it', async () => {
    const admin = await jetstreamManager(await as('admin'));
    await admin.streams.add({ name: STREAMS.audit.name, subjects: [...STREAMS.audit.subjects] });
    const gateway = await as('webhook-gateway');
    gateway.publish(subjectFor.audit('key1'), '{}');
    await gateway.flush();
    const worker = await jetstreamManager(await as('pipeline-worker'), { timeout: 1000 });
    await expect(worker.streams.purge(STREAMS.audit.name)).rejects.toThrow(/Permissions Violation|timeout/i);
    const gatewayJsm = await jetstreamManager(gateway, { timeout: 1000 });
    // The gateway appends to the audit log but cannot erase it.
    await expect(gatewayJsm.streams.purge(STREAMS.audit.name)).rejects.toThrow(/Permissions Violation|timeout/i);
    await expect(gatewayJsm.streams.delete(STREAMS.audit.name)).rejects.toThrow(/Permissions Violation|timeout/i);
    expect((await admin.streams.info(STREAMS.audit.name)).state.messages).toBe(1);
  });
});
