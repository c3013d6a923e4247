import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INTEGRATION_ADMIN, INTEGRATION_REQUEST } from '@autoweave/contracts';
import { startNatsServer } from '@autoweave/testing';
import { connect, nkeyAuthenticator } from '@nats-io/transport-node';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../dist/cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'bus-auth-'));
  dirs.push(dir);
  return dir;
};

afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('autoweave-bus-auth', () => {
  it('explains itself with --help and refuses unknown commands and users, naming them', () => {
    expect(run('--help').stdout).toContain('autoweave-bus-auth write <dir>');
    const unknown = run('rotate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "rotate"');
    const noUser = run('permissions', 'mallory');
    expect(noUser.status).toBe(2);
    expect(noUser.stderr).toContain('no bus user mallory');
    expect(JSON.parse(run('permissions', 'hub').stdout).hub.subscribe.allow).toContain(INTEGRATION_REQUEST.execute);
  });

  it('writes keys a nats-server accepts, keeps them on a second run, and seals the seeds (mode 600)', async () => {
    const dir = tempDir();
    const first = JSON.parse(execFileSync(process.execPath, [cli, 'write', dir], { encoding: 'utf8' })) as { created: string[] };
    expect(first.created).toEqual(expect.arrayContaining(['hub', 'admin']));
    const hubSeed = readFileSync(join(dir, 'hub.nk'), 'utf8');
    expect(statSync(join(dir, 'hub.nk')).mode & 0o077).toBe(0);
    expect(readFileSync(join(dir, 'auth.conf'), 'utf8')).not.toContain(hubSeed.trim());
    const second = JSON.parse(execFileSync(process.execPath, [cli, 'write', dir], { encoding: 'utf8' })) as { created: string[] };
    expect(second.created).toEqual([]);
    expect(readFileSync(join(dir, 'hub.nk'), 'utf8')).toBe(hubSeed);

    const nats = await startNatsServer({ config: readFileSync(join(dir, 'auth.conf'), 'utf8') });
    try {
      const gateway = await connect({ servers: nats.url, authenticator: nkeyAuthenticator(new TextEncoder().encode(readFileSync(join(dir, 'webhook-gateway.nk'), 'utf8').trim())) });
      const discovery = await connect({ servers: nats.url, authenticator: nkeyAuthenticator(new TextEncoder().encode(readFileSync(join(dir, 'discovery.nk'), 'utf8').trim())) });
      await expect(gateway.request(INTEGRATION_ADMIN.list, '{}', { timeout: 300 })).rejects.toThrow(/no responders/i);
      await expect(discovery.request(INTEGRATION_ADMIN.delete, '{}', { timeout: 300 })).rejects.toThrow(/Permissions Violation/);
      await Promise.all([gateway.close(), discovery.close()]);
      await expect(connect({ servers: nats.url })).rejects.toThrow(/Authorization Violation/);
    } finally {
      await nats.stop();
    }
  });

  it('refuses a seed file that holds something else, naming the file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'hub.nk'), 'not a seed\n');
    const result = run('write', dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${join(dir, 'hub.nk')} does not hold an NKey user seed`);
  });
});
