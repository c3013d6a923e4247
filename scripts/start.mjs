#!/usr/bin/env node
// Starts the whole AutoWeave backend locally: a nats-server with JetStream
// (unless NATS_URL points at one) and the five services as separate processes,
// their logs merged and prefixed. `pnpm start` builds first, then runs this.
// Plain Node ESM, no dependencies. Run with --help for the variables it reads.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The processes, in start order, with the health port each one listens on locally. */
const SERVICES = [
  { name: 'discovery', healthPort: 3101, color: 36 },
  { name: 'hub', healthPort: 3102, color: 35 },
  { name: 'agent-adapter', healthPort: 3103, color: 33 },
  { name: 'webhook-gateway', healthPort: null, color: 32 }, // health and metrics on its HTTP port
  { name: 'pipeline-worker', healthPort: 3105, color: 34 },
];

const HELP = `Usage: pnpm start            (builds, then runs: node scripts/start.mjs)
       node scripts/start.mjs [--help]

Starts the AutoWeave backend locally: a nats-server with JetStream (unless NATS_URL
is set) and the services discovery, hub, agent-adapter, webhook-gateway and
pipeline-worker, each its own process, with their logs merged on this terminal.
Ctrl-C (or SIGTERM) stops the services (they drain NATS), then the nats-server it
started; a second Ctrl-C kills everything at once. Data survives a restart: the
JetStream store and the dev secret key live in the data folder.

Environment (all optional):
  NATS_URL                  Use this running NATS server (comma-separated URLs allowed)
                            instead of starting one. JetStream must be enabled on it.
  AUTOWEAVE_NATS_PORT       Port for the nats-server started here (default 4222; when
                            taken, a free port is used). It listens on 127.0.0.1 only.
  AUTOWEAVE_PLUGINS_DIR     Plugins folder shared by discovery and the hub (default <data>/plugins).
  AUTOWEAVE_DATA_DIR        Data folder (default <repo>/.autoweave): nats/ holds the
                            JetStream store, nats-auth/ the bus users' NKeys (one per
                            service, admin.nk for you), secret.key the dev secret key.
  AUTOWEAVE_SECRET_KEY      32-byte key (base64 or hex) encrypting secrets at rest. When
                            unset, <data>/secret.key is used, created once (mode 600).
  AUTOWEAVE_ADMIN_API_KEY   Admin API key of the gateway. When unset the gateway makes a
                            development key at each start and prints it in its log.
  AUTOWEAVE_HTTP_PORT       Port of the gateway's HTTP API (default 3000).
  AUTOWEAVE_SERVICES        Comma-separated subset of services to run (default: all five).
  AUTOWEAVE_RAW_LOGS        1: print the services' JSON log lines as they are, instead of
                            the short "time level message key=value" form.
  NO_COLOR                  Set: no colours (there are none either when not on a TTY).

Passed to the services unchanged: LOG_LEVEL (default info), NATS_USER, NATS_PASS,
NATS_TOKEN and the other AUTOWEAVE_* settings. AUTOWEAVE_HEALTH_PORT is not: each
service gets its own local health port (${SERVICES.filter((s) => s.healthPort)
  .map((s) => `${s.name} ${s.healthPort}`)
  .join(', ')}; the gateway serves /health/* on its HTTP port).
`;

// ---------------------------------------------------------------- output

const useColor = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (code, text) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);
const LABEL_WIDTH = Math.max('autoweave'.length, 'nats'.length, ...SERVICES.map((s) => s.name.length));
const label = (name, color) => paint(color, name.padEnd(LABEL_WIDTH)) + ' ' + paint(90, '|') + ' ';
const SELF = label('autoweave', 1);
const say = (text) => process.stdout.write(`${SELF}${text}\n`);
const warn = (text) => process.stderr.write(text.split('\n').map((line) => `${SELF}${paint(33, line)}\n`).join(''));

const rawLogs = process.env.AUTOWEAVE_RAW_LOGS === '1';
const LEVELS = { trace: 90, debug: 90, info: 32, warn: 33, error: 31, fatal: 31 };
const NOT_SHOWN = new Set(['level', 'time', 'service', 'pid', 'hostname', 'msg']);

/** A pino JSON line shortened to `time level msg key=value ...`; other lines unchanged. */
function prettyLine(line) {
  if (rawLogs || !line.startsWith('{')) return line;
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null || typeof entry.msg !== 'string') return line;
  const level = typeof entry.level === 'string' ? entry.level : pinoLevelName(entry.level);
  const time = formatTime(entry.time);
  const fields = [];
  let stack = '';
  for (const [key, value] of Object.entries(entry)) {
    if (NOT_SHOWN.has(key)) continue;
    if (key === 'err' && value && typeof value === 'object') {
      fields.push(`err=${short(value.message ?? value)}`);
      if ((level === 'error' || level === 'fatal') && typeof value.stack === 'string') stack = value.stack;
      continue;
    }
    fields.push(`${key}=${short(value)}`);
  }
  const head = `${paint(90, time)} ${paint(LEVELS[level] ?? 0, level.toUpperCase().padEnd(5))} ${entry.msg}`;
  const tail = fields.length ? ' ' + paint(90, fields.join(' ')) : '';
  return head + tail + (stack ? '\n' + paint(90, stack) : '');
}

function pinoLevelName(n) {
  return { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }[n] ?? String(n ?? '?');
}

function formatTime(time) {
  const date = new Date(time ?? Date.now());
  if (Number.isNaN(date.getTime())) return String(time);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function short(value) {
  const text = typeof value === 'string' ? (/[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value) : JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** Prefixes each line of a child's stream with its fixed-width, coloured name. */
function pipeLines(stream, name, color, out, transform = prettyLine) {
  const prefix = label(name, color);
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
    const text = transform(line);
    if (text === null) return;
    out.write(text.split('\n').map((l) => prefix + l).join('\n') + '\n');
  });
}

// ---------------------------------------------------------------- helpers

function fail(message) {
  process.stderr.write(message.split('\n').map((line) => `${SELF}${paint(31, line)}\n`).join(''));
  process.exit(1);
}

function onPath(binary) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Resolves true when nothing listens on 127.0.0.1:port. */
function portIsFree(port) {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
}

function anyFreePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function tcpReachable(host, port, timeoutMs) {
  return new Promise((resolveReachable) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolveReachable(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function intFromEnv(name, fallback, min, max) {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) fail(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  return n;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Output piped into something that went away (e.g. `| head`) must not crash this supervisor.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

// ---------------------------------------------------------------- configuration

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(HELP);
  process.exit(0);
}
if (args.length > 0) {
  process.stderr.write(`unknown argument: ${args[0]}\n\n${HELP}`);
  process.exit(2);
}

const dataDir = resolve(process.env.AUTOWEAVE_DATA_DIR?.trim() || join(REPO, '.autoweave'));
const httpPort = intFromEnv('AUTOWEAVE_HTTP_PORT', 3000, 1, 65535);
const preferredNatsPort = intFromEnv('AUTOWEAVE_NATS_PORT', 4222, 1, 65535);

const wanted = (process.env.AUTOWEAVE_SERVICES ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = wanted.filter((name) => !SERVICES.some((s) => s.name === name));
if (unknown.length) fail(`AUTOWEAVE_SERVICES names unknown services: ${unknown.join(', ')} (known: ${SERVICES.map((s) => s.name).join(', ')})`);
const services = wanted.length ? SERVICES.filter((s) => wanted.includes(s.name)) : SERVICES;

const missing = services.filter((s) => !existsSync(entryOf(s)));
if (missing.length) {
  fail(
    [
      `not built: ${missing.map((s) => relative(REPO, entryOf(s))).join(', ')}`,
      'Run `pnpm build` (or `pnpm start`, which builds first), then start again.',
      missing.length < services.length ? 'To run only the built services, set AUTOWEAVE_SERVICES (see --help).' : '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
}

function entryOf(service) {
  return join(REPO, 'services', service.name, 'dist', 'main.js');
}

if (process.env.AUTOWEAVE_HEALTH_PORT) warn('AUTOWEAVE_HEALTH_PORT is ignored here: each service gets its own health port (see --help)');

mkdirSync(dataDir, { recursive: true, mode: 0o700 });
const pluginsDir = resolve(process.env.AUTOWEAVE_PLUGINS_DIR?.trim() || join(dataDir, 'plugins'));
mkdirSync(pluginsDir, { recursive: true });
const secretKey = process.env.AUTOWEAVE_SECRET_KEY?.trim() || devSecretKey();

/** The persistent development key: made once, reused at every start (else stored secrets become unreadable). */
function devSecretKey() {
  const file = join(dataDir, 'secret.key');
  if (!existsSync(file)) {
    try {
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      say(`created a development secret key in ${file} (keep it: secrets stored with it need it)`);
    } catch (err) {
      if (err.code !== 'EEXIST') fail(`cannot write ${file}: ${err.message}`);
    }
  }
  if ((statSync(file).mode & 0o077) !== 0) {
    chmodSync(file, 0o600);
    warn(`${file} was readable by others; its mode is now 600`);
  }
  const key = readFileSync(file, 'utf8').trim();
  if (Buffer.from(key, 'base64').length !== 32) fail(`${file} does not hold a base64 32-byte key; delete it to make a new one (secrets stored with the old one become unreadable)`);
  return key;
}

// ---------------------------------------------------------------- state and shutdown

/** Running children: name -> ChildProcess. */
const children = new Map();
let nats; // { child, url, storeDir } when started here
let busSeedFiles; // user -> NKey seed file, when the nats-server is started here
let stopping = false;
let forced = false;

process.on('exit', () => {
  // Last resort (e.g. an exception here): never leave processes behind.
  for (const child of children.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (nats?.child.exitCode === null && nats.child.signalCode === null) nats.child.kill('SIGKILL');
});

const waitExit = (child) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));

async function shutdown(code, reason) {
  if (stopping) return;
  stopping = true;
  say(reason);
  let unclean = false;
  const running = [...children.entries()].filter(([, c]) => c.exitCode === null && c.signalCode === null);
  if (running.length) say(`stopping ${running.map(([n]) => n).join(', ')} (they finish in-flight work and drain NATS; Ctrl-C again to kill)`);
  for (const [, child] of running) child.kill('SIGTERM');
  const guard = setTimeout(() => {
    warn('services did not stop within 30 s; killing them');
    for (const [, child] of running) child.kill('SIGKILL');
  }, 30_000);
  await Promise.all(
    running.map(async ([name, child]) => {
      await waitExit(child);
      if (child.exitCode !== 0) {
        unclean = true;
        warn(`${name} did not stop cleanly (${child.exitCode !== null ? `exit code ${child.exitCode}` : child.signalCode})`);
      }
    }),
  );
  clearTimeout(guard);
  if (nats) {
    say('stopping nats-server');
    nats.child.kill('SIGTERM');
    const natsGuard = setTimeout(() => nats.child.kill('SIGKILL'), 10_000);
    await waitExit(nats.child);
    clearTimeout(natsGuard);
  }
  say(code === 0 && !unclean ? 'stopped' : 'stopped with errors');
  process.exit(code !== 0 ? code : unclean ? 1 : 0);
}

function killEverything() {
  forced = true;
  warn('killing everything');
  for (const child of children.values()) child.kill('SIGKILL');
  nats?.child.kill('SIGKILL');
  process.exit(130);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (stopping) {
      if (!forced) killEverything();
      return;
    }
    if (signal === 'SIGINT') process.stdout.write('\n');
    void shutdown(0, `${signal} received`);
  });
}

// ---------------------------------------------------------------- NATS

async function resolveNats() {
  const external = process.env.NATS_URL?.trim();
  if (external) {
    const targets = external.split(',').map((u) => u.trim()).filter(Boolean).map(parseNatsUrl);
    const reachable = await Promise.all(targets.filter(Boolean).map((t) => tcpReachable(t.host, t.port, 3000)));
    if (targets.every(Boolean) && !reachable.some(Boolean)) fail(`NATS_URL=${external}: nothing answers there. Start that server, or unset NATS_URL to have one started here.`);
    return { url: external, startedHere: false };
  }
  const binary = onPath('nats-server');
  if (!binary) {
    fail(
      [
        'nats-server is not installed (not found on PATH) and NATS_URL is not set. Install it, then start again:',
        '  Debian/Ubuntu:  apt-get install nats-server   (as root, or with sudo)',
        '  anywhere else:  download it from https://github.com/nats-io/nats-server/releases and put nats-server on PATH',
        'Or use a running server with JetStream enabled: NATS_URL=nats://host:4222 pnpm start',
      ].join('\n'),
    );
  }
  const storeDir = join(dataDir, 'nats');
  mkdirSync(storeDir, { recursive: true, mode: 0o700 });
  const pidFile = join(dataDir, 'nats-server.pid');
  refuseLeftoverServer(pidFile, storeDir);
  const port = (await portIsFree(preferredNatsPort)) ? preferredNatsPort : await anyFreePort();
  if (port !== preferredNatsPort) say(`port ${preferredNatsPort} is taken; nats-server uses ${port}`);
  // The bus is locked down here as in production: each service gets its own NKey user
  // with the permissions generated from libs/contracts (autoweave-bus-auth); anonymous clients are refused.
  const { writeBusAuthFiles } = await import(pathToFileURL(join(REPO, 'libs', 'messaging', 'dist', 'index.js')).href);
  const auth = writeBusAuthFiles(join(dataDir, 'nats-auth'));
  const configFile = join(dataDir, 'nats-server.conf');
  writeFileSync(
    configFile,
    [`listen: "127.0.0.1:${port}"`, `jetstream { store_dir: ${JSON.stringify(storeDir)} }`, `include ${JSON.stringify(relative(dataDir, auth.configFile))}`, ''].join('\n'),
  );
  busSeedFiles = auth.seedFiles;
  const child = spawn(binary, ['-c', configFile, '-P', pidFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: a terminal Ctrl-C must not stop it before the services drained
  });
  nats = { child, url: `nats://127.0.0.1:${port}`, storeDir };
  await waitForNats(child);
  // From now on show what nats-server says only when it matters (all of it with AUTOWEAVE_RAW_LOGS=1).
  const natsFilter = (line) => (rawLogs || /\[(WRN|ERR|FTL)\]/.test(line) ? line : null);
  pipeLines(child.stdout, 'nats', 90, process.stdout, natsFilter);
  pipeLines(child.stderr, 'nats', 90, process.stdout, natsFilter);
  child.once('exit', (code, signal) => {
    if (!stopping) void shutdown(1, `nats-server exited unexpectedly (${code !== null ? `exit code ${code}` : signal}); stopping everything`);
  });
  return { url: nats.url, startedHere: true };
}

function parseNatsUrl(text) {
  try {
    const url = new URL(text.includes('://') ? text : `nats://${text}`);
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 4222) };
  } catch {
    return undefined;
  }
}

/** A nats-server still running from an earlier run would share the store: refuse rather than corrupt it. */
function refuseLeftoverServer(pidFile, storeDir) {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // not running
  }
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    // no /proc: trust the pid file
  }
  if (cmdline && !(cmdline.includes('nats-server') && cmdline.includes(storeDir))) return;
  fail(`a nats-server from an earlier run (pid ${pid}) still uses ${storeDir}; stop it (kill ${pid}) and start again`);
}

function waitForNats(child) {
  return new Promise((resolveReady) => {
    let output = '';
    const timer = setTimeout(() => broken('did not become ready within 15 s'), 15_000);
    const onData = (chunk) => {
      output += chunk.toString();
      if (/Server is ready/.test(output)) {
        clearTimeout(timer);
        child.stderr.off('data', onData);
        child.stdout.off('data', onData);
        child.off('exit', onExit);
        child.off('error', onError);
        resolveReady();
      }
    };
    const onExit = (code) => broken(`exited with code ${code}`);
    const onError = (err) => broken(`could not run: ${err.message}`);
    function broken(why) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      fail(`nats-server ${why}:\n${output.trim()}`);
    }
    child.stderr.on('data', onData);
    child.stdout.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

// ---------------------------------------------------------------- services

function startService(service, natsUrl) {
  const env = {
    ...process.env,
    NATS_URL: natsUrl,
    AUTOWEAVE_SECRET_KEY: secretKey,
    AUTOWEAVE_HTTP_PORT: String(httpPort),
    // The pipeline worker keeps its embedded vector store here; discovery and the hub share the plugins folder.
    AUTOWEAVE_DATA_DIR: dataDir,
    AUTOWEAVE_PLUGINS_DIR: pluginsDir,
  };
  if (busSeedFiles) {
    // Our own server: the service's own bus user, nothing inherited from the shell.
    for (const name of ['NATS_USER', 'NATS_PASS', 'NATS_TOKEN', 'NATS_CREDS', 'NATS_NKEY_SEED']) delete env[name];
    env.NATS_NKEY_SEED_FILE = busSeedFiles[service.name];
  }
  if (service.healthPort) env.AUTOWEAVE_HEALTH_PORT = String(service.healthPort);
  else delete env.AUTOWEAVE_HEALTH_PORT;
  const child = spawn(process.execPath, [entryOf(service)], {
    cwd: join(REPO, 'services', service.name),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // signals come from here, in order, not from the terminal
  });
  children.set(service.name, child);
  pipeLines(child.stdout, service.name, service.color, process.stdout);
  pipeLines(child.stderr, service.name, service.color, process.stderr);
  child.once('error', (err) => {
    if (!stopping) void shutdown(1, `${service.name} could not be started: ${err.message}`);
  });
  child.once('exit', (code, signal) => {
    if (stopping) return;
    void shutdown(1, `${service.name} exited unexpectedly (${code !== null ? `exit code ${code}` : signal}); stopping everything`);
  });
}

function healthUrl(service) {
  return service.healthPort ? `http://127.0.0.1:${service.healthPort}/health/ready` : `http://127.0.0.1:${httpPort}/health/ready`;
}

async function waitUntilReady(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(services);
  while (pending.size && !stopping) {
    await Promise.all(
      [...pending].map(async (service) => {
        try {
          const res = await fetch(healthUrl(service), { signal: AbortSignal.timeout(2000) });
          if (res.status === 200) pending.delete(service);
        } catch {
          // not listening yet
        }
      }),
    );
    if (!pending.size || Date.now() > deadline) break;
    await sleep(250);
  }
  return [...pending];
}

// ---------------------------------------------------------------- main

const natsInfo = await resolveNats();
say(`NATS at ${natsInfo.url}${natsInfo.startedHere ? ` (nats-server started here, store ${nats.storeDir})` : ''}`);
for (const service of services) startService(service, natsInfo.url);

const notReady = await waitUntilReady(60_000);
if (!stopping) {
  if (notReady.length) warn(`not ready after 60 s: ${notReady.map((s) => `${s.name} (${healthUrl(s)})`).join(', ')}; still running`);
  const gateway = services.some((s) => s.name === 'webhook-gateway');
  const lines = [
    `AutoWeave is ${notReady.length ? 'partly ' : ''}up (${services.length} service${services.length === 1 ? '' : 's'}). Ctrl-C stops it.`,
    gateway ? `  gateway      http://localhost:${httpPort}  (API /api/*, webhooks /webhooks/:id, docs /api-docs/openapi.json)` : '  gateway      not started (AUTOWEAVE_SERVICES)',
    gateway && !process.env.AUTOWEAVE_ADMIN_API_KEY ? '  admin key    printed by webhook-gateway above (set AUTOWEAVE_ADMIN_API_KEY to choose one)' : '',
    `  NATS         ${natsInfo.url}${natsInfo.startedHere ? '' : ' (NATS_URL)'}`,
    busSeedFiles ? `  NATS admin   NATS_NKEY_SEED_FILE=${relative(process.cwd(), busSeedFiles.admin)} (nats CLI: --nkey ${relative(process.cwd(), busSeedFiles.admin)}); anonymous clients are refused` : '',
    `  data folder  ${dataDir}${natsInfo.startedHere ? '' : ' (secret key only; JetStream data is on the NATS server)'}`,
    `  health       ${services.map((s) => `${s.name} ${healthUrl(s).replace('/health/ready', '')}`).join(', ')}`,
  ];
  for (const line of lines.filter(Boolean)) say(paint(1, line));
}
