import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BUCKETS, STREAMS } from '@autoweave/contracts';
import { connectNats, provisionBuckets, provisionStreams, type NatsConnection } from '@autoweave/messaging';
import { createLogger } from '@autoweave/observability';
import { startNatsServer, type NatsServerHandle } from '@autoweave/testing';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const logger = createLogger({ service: 'backup-cli-test', level: 'silent' });

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The `msg` of each JSON progress line. */
const messages = (stdout: string): string[] =>
  stdout.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { msg: string }).msg);

describe('the autoweave-backup command', () => {
  let source: NatsServerHandle;
  let target: NatsServerHandle;
  let nc: NatsConnection;
  const work = mkdtempSync(join(tmpdir(), 'autoweave-backup-cli-'));

  beforeAll(async () => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: build the package first (pnpm exec tsc -b)`);
    [source, target] = await Promise.all([startNatsServer(), startNatsServer()]);
    nc = await connectNats({ url: source.url, name: 'backup-cli-test' }, logger);
    await provisionStreams(nc, Object.values(STREAMS), logger);
    const buckets = await provisionBuckets(nc, [BUCKETS.integrations], logger);
    await buckets.get(BUCKETS.integrations)!.put('int-1', JSON.stringify({ id: 'int-1' }));
  });

  afterAll(async () => {
    await nc?.close();
    await Promise.all([source?.stop(), target?.stop()]);
    rmSync(work, { recursive: true, force: true });
  });

  it('prints its usage with --help and exits 2 on bad usage', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('restore <dir>');
    expect(help.stdout).toContain('NATS_URL');
    const bad = await run(['copy', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown command "copy"');
    expect((await run(['backup', work, '--force'])).stderr).toContain('--force applies to restore only');
  });

  it('backs up from NATS_URL and restores into another server, logging each stream', async () => {
    const dir = join(work, 'b1');
    const backedUp = await run(['backup', dir], { NATS_URL: source.url });
    expect(backedUp.code).toBe(0);
    const logged = messages(backedUp.stdout);
    expect(logged.filter((m) => m === 'stream backed up')).toHaveLength(Object.keys(STREAMS).length + 1);
    expect(logged).toContain('backup complete');

    const restored = await run(['restore', dir], { NATS_URL: target.url });
    expect(restored.code).toBe(0);
    expect(messages(restored.stdout).filter((m) => m === 'stream restored')).toHaveLength(Object.keys(STREAMS).length + 1);

    // The same again is refused: the streams hold messages now.
    const again = await run(['restore', dir], { NATS_URL: target.url });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/refusing to restore over streams that hold messages: KV_integrations \(1 messages\).*--force.*\[CONFLICT\]/);
    expect((await run(['restore', dir, '--force'], { NATS_URL: target.url })).code).toBe(0);
  });

  it('names the problem when the folder is not a backup', async () => {
    const missing = await run(['restore', join(work, 'nothing')], { NATS_URL: target.url });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('manifest.json does not exist');
  });

  it('names a server without JetStream and leaves no folder behind', async () => {
    const plain = await startNatsServer({ jetstream: false });
    try {
      const dir = join(work, 'never');
      const res = await run(['backup', dir], { NATS_URL: plain.url });
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`JetStream is not available on 127.0.0.1:${plain.port}`);
      expect(existsSync(dir)).toBe(false);
    } finally {
      await plain.stop();
    }
  });
});
