import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_USER, BUS_GRANTS, type BusUser } from '@autoweave/contracts';
import { nkeys } from '@nats-io/transport-node';
import { renderAuthorization, type BusCredential } from './bus-credentials.js';

export interface BusAuthFiles {
  /** The nats-server `authorization` block (public keys and permissions only), to `include` in its config. */
  configFile: string;
  /** Each user's NKey seed file (mode 600): a service reads its own through NATS_NKEY_SEED_FILE. */
  seedFiles: Record<BusCredential['user'], string>;
  /** Users whose key was created now (the others were kept). */
  created: Array<BusCredential['user']>;
}

export const BUS_AUTH_CONFIG = 'auth.conf';

/**
 * Writes the bus users into a folder: keeps every seed already there (a
 * running deployment keeps its keys), makes the missing ones, and always
 * renders the server configuration again, so an upgrade's new permissions
 * take effect on the server's next (re)load.
 */
export function writeBusAuthFiles(dir: string): BusAuthFiles {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const users: Array<BusCredential['user']> = [...(Object.keys(BUS_GRANTS) as BusUser[]), ADMIN_USER];
  const created: Array<BusCredential['user']> = [];
  const seedFiles = {} as Record<BusCredential['user'], string>;
  const credentials = users.map((user): BusCredential => {
    const file = join(dir, `${user}.nk`);
    seedFiles[user] = file;
    if (existsSync(file)) return credentialFrom(user, readFileSync(file, 'utf8').trim(), file);
    const seed = new TextDecoder().decode(nkeys.createUser().getSeed());
    writeFileSync(file, `${seed}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    created.push(user);
    return credentialFrom(user, seed, file);
  });
  const configFile = join(dir, BUS_AUTH_CONFIG);
  writeFileSync(configFile, renderAuthorization(credentials), { mode: 0o644 });
  return { configFile, seedFiles, created };
}

function credentialFrom(user: BusCredential['user'], seed: string, file: string): BusCredential {
  try {
    return { user, seed, publicKey: nkeys.fromSeed(new TextEncoder().encode(seed)).getPublicKey() };
  } catch {
    throw new Error(`${file} does not hold an NKey user seed (SU...); remove it to have a new key made`);
  }
}
