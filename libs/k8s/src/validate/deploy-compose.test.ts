import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { checkNatsConfig, SAMPLE_AUTH_CONF } from './__fixtures__/nats-config-check.js';

// docker-compose.yml cannot be run here (no Docker): these checks hold it to the bus's rules, each
// service authenticating with its own NKey and nats-server loading the generated users.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const SERVICES = ['discovery', 'hub', 'agent-adapter', 'webhook-gateway', 'pipeline-worker'];
/** Where `autoweave-bus-auth write .autoweave/nats-auth` (the header's first command) puts the users. */
const BUS_AUTH_DIR = './.autoweave/nats-auth';

type ServiceSecret = string | { source: string; target?: string };
type Volume = string | { type: string; source: string; target: string; read_only?: boolean; bind?: { create_host_path?: boolean } };
interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  secrets?: ServiceSecret[];
  volumes?: Volume[];
  ports?: string[];
  healthcheck?: { test: string[] };
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets?: Record<string, { file?: string; environment?: string }>;
}

const compose = parse(readFileSync(resolve(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;
const secretSource = (s: ServiceSecret): string => (typeof s === 'string' ? s : s.source);
const secretTarget = (s: ServiceSecret): string => {
  const target = typeof s === 'string' ? s : (s.target ?? s.source);
  return target.startsWith('/') ? target : `/run/secrets/${target}`;
};

describe('docker-compose.yml', () => {
  it('has nats and the five services', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...SERVICES, 'nats'].sort());
  });

  it.each(SERVICES)('%s: NATS_NKEY_SEED_FILE is its own secret, the seed file bus-auth writes for it, and nothing else', (name) => {
    const service = compose.services[name]!;
    const secrets = service.secrets ?? [];
    // Exactly one secret file from the bus users' folder: its own (no other service's, nor admin's).
    const busFiles = secrets.map((s) => compose.secrets?.[secretSource(s)]?.file).filter((f) => f?.startsWith(`${BUS_AUTH_DIR}/`));
    expect(busFiles).toEqual([`${BUS_AUTH_DIR}/${name}.nk`]);
    const own = secrets.find((s) => compose.secrets?.[secretSource(s)]?.file === `${BUS_AUTH_DIR}/${name}.nk`)!;
    expect(service.environment?.['NATS_NKEY_SEED_FILE']).toBe(secretTarget(own));
    expect(service.environment?.['NATS_URL']).toBe('nats://nats:4222');
    // No second credential that would win over (or add to) the key.
    expect(Object.keys(service.environment ?? {}).filter((k) => /^NATS_(NKEY_SEED|CREDS|USER|PASS|TOKEN)$/.test(k))).toEqual([]);
  });

  it('nats: its config file includes the bus users, mounted where the include points; the healthcheck needs no credentials', () => {
    const nats = compose.services['nats']!;
    expect(nats.secrets ?? []).toEqual([]);
    const configPath = nats.command![nats.command!.indexOf('--config') + 1]!;
    const binds = (nats.volumes ?? []).filter((v): v is Exclude<Volume, string> => typeof v === 'object' && v.type === 'bind');
    const configBind = binds.find((v) => v.target === configPath);
    expect(configBind).toMatchObject({ source: './deploy/nats/nats-server.conf', read_only: true });
    const config = readFileSync(resolve(ROOT, configBind!.source), 'utf8');

    // nats-server resolves include from the including file's folder: it must land on the mounted auth.conf.
    const includes = [...config.matchAll(/^\s*include\s+"?([^"\s]+)"?/gm)].map((m) => posix.resolve(posix.dirname(configPath), m[1]!));
    expect(includes).toHaveLength(1);
    const authBind = binds.find((v) => v.target === includes[0]);
    // Not created when missing (Docker would make an empty folder of that name and the server would fail obscurely).
    expect(authBind).toEqual({ type: 'bind', source: `${BUS_AUTH_DIR}/auth.conf`, target: includes[0], read_only: true, bind: { create_host_path: false } });
    expect(config).not.toMatch(/no_auth_user/);

    // JetStream on the data volume, clients on 4222, the monitor port the healthcheck asks.
    expect(config).toMatch(/jetstream\s*\{[^}]*store_dir:\s*"?\/data"?/);
    expect(nats.volumes).toContain('nats-data:/data');
    expect(config).toMatch(/^\s*port:\s*4222\s*$/m);
    expect(config).toMatch(/^\s*http_port:\s*8222\s*$/m);
    expect(nats.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:8222/healthz');

    // The real nats-server loads it with the mounts in place, and refuses to start without auth.conf.
    expect(checkNatsConfig({ [configPath]: config, [includes[0]!]: SAMPLE_AUTH_CONF }, configPath)).toEqual({ ok: true, output: expect.stringContaining('valid') });
    const withoutAuth = checkNatsConfig({ [configPath]: config }, configPath);
    expect(withoutAuth.ok).toBe(false);
    expect(withoutAuth.output).toContain('auth.conf');
  });
});
