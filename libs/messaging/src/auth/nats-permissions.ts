import { subjectMatches, type BusGrant, type StoreAccess } from '@autoweave/contracts';

/** A nats-server `permissions` block. */
export interface NatsPermissions {
  publish: { allow: string[] };
  subscribe: { allow: string[] };
  /** Lets a responder publish to the reply subject of a request it received, and nowhere else under `_INBOX`. */
  allow_responses: boolean;
}

/** Replies and push-consumer deliveries arrive on the client's own inboxes. */
const INBOXES = '_INBOX.>';

/** Account-level JetStream API calls every JetStream client makes (account info, stream lookup by subject). */
const JS_ACCOUNT_API = ['$JS.API.INFO', '$JS.API.STREAM.NAMES'];

/**
 * The JetStream API subjects for one stream, scoped by its name: a service
 * cannot see, consume or alter any stream it was not granted. `read` covers
 * lookups, message gets, consumers (create, fetch, ack, flow control, delete)
 * and an idempotent create (every replica provisions what it uses at start);
 * `write` adds update, purge and message delete.
 */
export function streamApi(stream: string, access: StoreAccess): string[] {
  const read = [
    `$JS.API.STREAM.INFO.${stream}`,
    `$JS.API.STREAM.CREATE.${stream}`,
    `$JS.API.STREAM.MSG.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}.>`,
    `$JS.API.CONSUMER.CREATE.${stream}`,
    `$JS.API.CONSUMER.CREATE.${stream}.>`,
    `$JS.API.CONSUMER.DURABLE.CREATE.${stream}.>`,
    `$JS.API.CONSUMER.INFO.${stream}.>`,
    `$JS.API.CONSUMER.DELETE.${stream}.>`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.>`,
    `$JS.API.CONSUMER.LIST.${stream}`,
    `$JS.API.CONSUMER.NAMES.${stream}`,
    `$JS.ACK.${stream}.>`,
    `$JS.FC.${stream}.>`,
  ];
  if (access === 'read') return read;
  return [...read, `$JS.API.STREAM.UPDATE.${stream}`, `$JS.API.STREAM.PURGE.${stream}`, `$JS.API.STREAM.MSG.DELETE.${stream}`];
}

/** A KV bucket is the stream `KV_<bucket>`; writing is publishing to `$KV.<bucket>.<key>`. */
export function bucketApi(bucket: string, access: StoreAccess): string[] {
  const api = streamApi(`KV_${bucket}`, access);
  return access === 'write' ? [...api, `$KV.${bucket}.>`] : api;
}

/** The least-privilege permission set of a bus user, from its grant in libs/contracts. */
export function natsPermissions(grant: BusGrant): NatsPermissions {
  const jetstream = [
    ...Object.entries(grant.streams).flatMap(([stream, access]) => streamApi(stream, access)),
    ...Object.entries(grant.buckets).flatMap(([bucket, access]) => bucketApi(bucket, access as StoreAccess)),
  ];
  const usesJetStream = jetstream.length > 0;
  return {
    publish: { allow: unique([...grant.calls, ...grant.publishes, ...(usesJetStream ? [...JS_ACCOUNT_API, ...jetstream] : [])]) },
    subscribe: { allow: unique([...grant.serves, ...grant.subscribes, INBOXES]) },
    allow_responses: grant.serves.length > 0,
  };
}

function unique(subjects: string[]): string[] {
  return [...new Set(subjects)];
}

/** Whether an allow list lets a subject through. */
export function permits(allow: readonly string[], subject: string): boolean {
  return allow.some((pattern) => subjectMatches(pattern, subject));
}
