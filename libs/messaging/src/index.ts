export * from './codec.js';
export * from './nats-errors.js';
export * from './connection.js';
export * from './bus.js';
export * from './provisioning.js';
export * from './event-bus.js';
export * from './kv-snapshot.js';
export type { NatsConnection, Msg, MsgHdrs, Subscription } from '@nats-io/transport-node';
export type { KV, KvEntry } from '@nats-io/kv';
