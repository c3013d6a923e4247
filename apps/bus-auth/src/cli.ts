#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ADMIN_USER, BUS_GRANTS, type BusUser } from '@autoweave/contracts';
import { natsPermissions, writeBusAuthFiles } from '@autoweave/messaging';

const HELP = `usage: autoweave-bus-auth write <dir>        make or update the bus users in <dir>
       autoweave-bus-auth permissions [user]  print a user's NATS permissions as JSON
       autoweave-bus-auth --help

write: one NKey per AutoWeave service (${Object.keys(BUS_GRANTS).join(', ')}) and ${ADMIN_USER},
each in <dir>/<user>.nk (mode 600), and <dir>/auth.conf: the nats-server authorization
block with each user's least-privilege permissions, generated from
libs/contracts/src/bus-access.ts. Keys already in <dir> are kept; auth.conf is always
written again, so run it after every upgrade and reload nats-server (nats-server --signal reload).

Use it: add   include ./auth.conf   to nats-server.conf (next to it), and give each service
NATS_NKEY_SEED_FILE=<dir>/<service>.nk (or the file's content as NATS_NKEY_SEED).
Clients without a key are refused; the admin key is for operators' tools
(autoweave-backup, the nats CLI: nats --nkey <dir>/admin.nk).
`;

function main(argv: string[]): number {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  const [command, arg] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  if (command === 'write') {
    if (!arg) return usageError('write needs the folder to write the users into');
    const files = writeBusAuthFiles(arg);
    process.stdout.write(`${JSON.stringify({ config: files.configFile, users: Object.keys(files.seedFiles), created: files.created })}\n`);
    return 0;
  }
  if (command === 'permissions') {
    const users = arg ? [arg] : Object.keys(BUS_GRANTS);
    const unknown = users.filter((u) => !(u in BUS_GRANTS));
    if (unknown.length > 0) return usageError(`no bus user ${unknown.join(', ')}; the users are ${Object.keys(BUS_GRANTS).join(', ')} (and ${ADMIN_USER}, who may do anything)`);
    const out = Object.fromEntries(users.map((u) => [u, natsPermissions(BUS_GRANTS[u as BusUser])]));
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  return usageError(`unknown command "${command}"`);
}

function usageError(message: string): number {
  process.stderr.write(`autoweave-bus-auth: ${message} (see --help)\n`);
  return 2;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`autoweave-bus-auth: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
