import { ADMIN_USER, BUS_GRANTS, type BusUser } from '@autoweave/contracts';
import { nkeys } from '@nats-io/transport-node';
import { natsPermissions } from './nats-permissions.js';

/** One bus user's NKey: the server knows the public key; the seed is the user's secret. */
export interface BusCredential {
  user: BusUser | typeof ADMIN_USER;
  publicKey: string;
  seed: string;
}

/** A fresh NKey for every service, client role and the admin. */
export function createBusCredentials(): BusCredential[] {
  const users: Array<BusUser | typeof ADMIN_USER> = [...(Object.keys(BUS_GRANTS) as BusUser[]), ADMIN_USER];
  return users.map((user) => {
    const pair = nkeys.createUser();
    return { user, publicKey: pair.getPublicKey(), seed: new TextDecoder().decode(pair.getSeed()) };
  });
}

/**
 * The nats-server `authorization` block for these users: each service and
 * client role with its least-privilege permissions, the admin with all. Only
 * public keys go in it, so the file is not a secret. No user is anonymous: a
 * client without a key is refused.
 */
export function renderAuthorization(credentials: readonly BusCredential[]): string {
  const users = credentials.map((c) => (c.user === ADMIN_USER ? { nkey: c.publicKey } : { nkey: c.publicKey, permissions: natsPermissions(BUS_GRANTS[c.user]) }));
  const names = credentials.map((c) => `#   ${c.user}: ${c.publicKey}`);
  // The NATS configuration format reads JSON; quoted strings keep `$JS...` from being taken as variables.
  return ['# Generated from libs/contracts/src/bus-access.ts; do not edit by hand.', ...names, `authorization: ${JSON.stringify({ users }, null, 2)}`, ''].join('\n');
}

/** The seed of a user, or an error naming the user. */
export function seedOf(credentials: readonly BusCredential[], user: BusCredential['user']): string {
  const found = credentials.find((c) => c.user === user);
  if (!found) throw new Error(`no bus credential for ${user}`);
  return found.seed;
}
