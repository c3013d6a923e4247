// The deploy tests' check that a checked-in nats-server configuration really loads: the files are
// laid out under a temporary root at the paths they are mounted at in the container (so `include`,
// which nats-server resolves from the including file's folder, finds what the mounts provide) and
// the real nats-server (from PATH) tests the configuration (`-t`: parse and check, no listening).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** An authorization block shaped like autoweave-bus-auth's auth.conf (a public key only: no secret). */
export const SAMPLE_AUTH_CONF = `authorization: {
  users: [
    { nkey: "UA2RMSTJN2GMAJYN4JYA63GTMCQXUHUS5FX2KFJJSHGMESUNWFMPX5BD", permissions: { publish: { allow: ["_INBOX.>"] } } }
  ]
}
`;

export interface NatsConfigCheck {
  ok: boolean;
  /** What nats-server said (the reason when it refused the configuration). */
  output: string;
}

/**
 * @param files container path -> content (the config file and everything the mounts put next to it)
 * @param configPath the container path nats-server is started with (`--config`)
 */
export function checkNatsConfig(files: Record<string, string>, configPath: string, env: Record<string, string> = {}): NatsConfigCheck {
  const root = mkdtempSync(join(tmpdir(), 'autoweave-nats-config-'));
  try {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    const run = spawnSync('nats-server', ['-t', '-c', join(root, configPath)], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 10_000 });
    if (run.error) throw new Error(`cannot run nats-server (it must be on PATH): ${run.error.message}`);
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}`.trim() };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
