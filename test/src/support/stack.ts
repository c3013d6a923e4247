import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PING } from '@autoweave/contracts';
import { freePort, startNatsServer, waitFor, type NatsServerHandle } from '@autoweave/testing';
import { createBusCredentials, renderAuthorization, seedOf, type BusCredential } from '@autoweave/messaging';
import { connect, nkeyAuthenticator, type NatsConnection } from '@nats-io/transport-node';

export const SERVICES = ['discovery', 'hub', 'agent-adapter', 'webhook-gateway', 'pipeline-worker'] as const;
export type ServiceName = (typeof SERVICES)[number];

const STOP_ORDER: ServiceName[][] = [['webhook-gateway', 'discovery'], ['pipeline-worker', 'agent-adapter'], ['hub']];

const repo = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** One service running as its own process, its output kept for assertions. */
export class ServiceProcess {
  readonly output: string[] = [];
  private child?: ChildProcess;
  private exited?: Promise<number | null>;

  constructor(
    readonly name: ServiceName,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  start(): void {
    const entry = join(repo, 'services', this.name, 'dist', 'main.js');
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run pnpm build first`);
    const child = spawn(process.execPath, [entry], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => this.output.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.child = child;
  }

  /** Kills the process at once (no draining): a crash. */
  kill(): Promise<number | null> {
    this.child?.kill('SIGKILL');
    return this.exited ?? Promise.resolve(null);
  }

  /** Sends SIGTERM and resolves with the exit code (the service drains first). */
  async stop(): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null) return this.child?.exitCode ?? null;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 20_000);
    const code = await this.exited!;
    clearTimeout(timer);
    return code;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last `n` lines it wrote. */
  tail(n: number): string[] {
    return this.output.slice(-n);
  }

  /** Parsed JSON log lines. */
  logLines(): Array<Record<string, unknown>> {
    return this.output.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }
}

/** The whole backend: a private nats-server and the five services as processes. */
export class Stack {
  readonly services = new Map<ServiceName, ServiceProcess>();
  readonly replicas: ServiceProcess[] = [];

  private constructor(
    readonly nats: NatsServerHandle,
    readonly gatewayUrl: string,
    readonly adminKey: string,
    readonly secretKey: string,
    /** Every bus user's NKey: the server runs with the permissions generated from libs/contracts. */
    readonly credentials: readonly BusCredential[],
    /** The services' data folder (the worker's embedded vector store): fresh per stack, removed on stop. */
    readonly dataDir: string = mkdtempSync(join(tmpdir(), 'autoweave-e2e-')),
  ) {}

  static async start(): Promise<Stack> {
    const credentials = createBusCredentials();
    const nats = await startNatsServer({ config: renderAuthorization(credentials) });
    const httpPort = await freePort();
    const stack = new Stack(nats, `http://127.0.0.1:${httpPort}`, `admin-${randomBytes(12).toString('hex')}`, randomBytes(32).toString('base64'), credentials);
    for (const name of SERVICES) {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        NATS_URL: nats.url,
        NATS_NKEY_SEED: seedOf(credentials, name),
        LOG_LEVEL: 'debug',
        AUTOWEAVE_HEALTH_PORT: String(await freePort()),
        AUTOWEAVE_HTTP_PORT: String(httpPort),
        AUTOWEAVE_ADMIN_API_KEY: stack.adminKey,
        AUTOWEAVE_SECRET_KEY: stack.secretKey,
        AUTOWEAVE_DATA_DIR: stack.dataDir,
        // Upstream APIs and webhook receivers in the tests listen on loopback.
        AUTOWEAVE_OUTBOUND_ALLOW: 'loopback',
      };
      stack.services.set(name, new ServiceProcess(name, env));
    }
    for (const service of stack.services.values()) service.start();
    await stack.waitUntilReady();
    return stack;
  }

  /** Starts one more process of a service (a replica), with the same settings. */
  addReplica(name: ServiceName, extraEnv: NodeJS.ProcessEnv = {}): ServiceProcess {
    const replica = new ServiceProcess(name, { ...this.envOf(name), ...extraEnv });
    replica.start();
    this.replicas.push(replica);
    return replica;
  }

  private envOf(name: ServiceName): NodeJS.ProcessEnv {
    return this.service(name).env;
  }

  service(name: ServiceName): ServiceProcess {
    return this.services.get(name)!;
  }

  /** Ready = the gateway's /health/ready answers 200 and every service answers its ping on the bus. */
  async waitUntilReady(): Promise<void> {
    await waitFor(
      async () => {
        const res = await fetch(`${this.gatewayUrl}/health/ready`);
        return res.status === 200;
      },
      { timeoutMs: 30_000, what: 'the gateway to be ready' },
    );
    const nc = await this.connect();
    try {
      for (const subject of Object.values(PING)) {
        await waitFor(
          async () => {
            const reply = JSON.parse(new TextDecoder().decode((await nc.request(subject, '', { timeout: 1000 })).data)) as { ok: boolean };
            return reply.ok;
          },
          { timeoutMs: 30_000, what: `an answer on ${subject}` },
        );
      }
    } finally {
      await nc.close();
    }
  }

  /** A NATS client on the stack's server as a bus user (default: the admin, who may do anything). */
  connect(user: BusCredential['user'] = 'admin'): Promise<NatsConnection> {
    return connect({ servers: this.nats.url, authenticator: nkeyAuthenticator(new TextEncoder().encode(seedOf(this.credentials, user))) });
  }

  /**
   * What the server refused: a service using a subject its grant in
   * libs/contracts/src/bus-access.ts does not cover shows up here.
   */
  violations(): string[] {
    const named = (line: string): string => this.credentials.reduce((text, c) => text.replaceAll(c.publicKey, c.user), line);
    return this.nats.log().split('\n').filter((line) => /Violation/.test(line)).map(named);
  }

  /**
   * Stops a service (it must exit cleanly) and starts it again; `envOverrides`
   * change its environment from then on (an undefined value removes a variable).
   */
  async restart(name: ServiceName, envOverrides: NodeJS.ProcessEnv = {}): Promise<void> {
    const service = this.service(name);
    expectExit(await service.stop(), name);
    for (const [key, value] of Object.entries(envOverrides)) {
      if (value === undefined) delete service.env[key];
      else service.env[key] = value;
    }
    service.start();
  }

  async stop(): Promise<Record<ServiceName, number | null>> {
    const codes = {} as Record<ServiceName, number | null>;
    await Promise.all(this.replicas.map((r) => r.stop()));
    // Edge first, core last, as an operator would: in-flight work that still needs the hub (a pipeline
    // run calling an integration, a delivery asking for a disable) can finish while it is up.
    for (const wave of STOP_ORDER) {
      await Promise.all(wave.map(async (name) => (codes[name] = await this.services.get(name)!.stop())));
    }
    await this.nats.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
    return codes;
  }

  /** Everything every service printed. */
  allOutput(): string {
    return [...this.services.values()].map((s) => s.output.join('\n')).join('\n');
  }
}

function expectExit(code: number | null, name: string): void {
  if (code !== 0) throw new Error(`${name} exited with ${code} on SIGTERM`);
}
