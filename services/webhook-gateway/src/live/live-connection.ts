import { AppError } from '@autoweave/contracts';
import type { Logger } from '@autoweave/observability';
import type { RawData, WebSocket } from 'ws';
import type { Principal } from '../auth/api-key-registry.js';
import type { ConnectionAuth } from './connection-auth.js';
import type { FrameSink } from './nats-fan-in.js';
import { OutboundQueue, type SendLimits } from './outbound-queue.js';
import { CLOSE_CODES, frame, MAX_TOPICS_PER_CLIENT, parseClientMessage, ProtocolError, type ClientMessage, type ServerMessage } from './protocol.js';
import type { SubscriptionRegistry } from './subscription-registry.js';
import { familiesOverlapping, TOPIC_FAMILIES, visibleTo } from './topic-families.js';

export interface ConnectionDeps {
  auth: ConnectionAuth;
  subscriptions: SubscriptionRegistry<LiveConnection>;
  limits: SendLimits;
  authTimeoutMs: number;
  reauthIntervalMs: number;
  logger: Logger;
  onDrop(count: number): void;
  onClosed(connection: LiveConnection): void;
  /** Resolves when NATS has the subscriptions made so far (see NatsFanIn.settled). */
  settled(): Promise<void>;
  now?: () => number;
}

/**
 * One WebSocket client: its key and scopes, its topic patterns, its outbound
 * queue, and whether it answered the last ping. Messages from the client are
 * handled one after another (an auth message and the subscribe sent right
 * behind it are answered in order).
 */
export class LiveConnection implements FrameSink {
  private principal: Principal | undefined;
  private key: string | undefined;
  private readonly topics = new Set<string>();
  private readonly queue: OutboundQueue;
  private readonly now: () => number;
  private inbox: Promise<void> = Promise.resolve();
  private authTimer: NodeJS.Timeout | undefined;
  private lastAuthAt = 0;
  private reauthenticating = false;
  private alive = true;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: ConnectionDeps,
  ) {
    this.queue = new OutboundQueue(ws, deps.limits, deps.onDrop);
    this.now = deps.now ?? Date.now;
  }

  /** Starts handling the socket; with a principal the connection is authenticated already (key in the headers). */
  start(authenticated?: { principal: Principal; key: string }): void {
    this.ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    this.ws.on('pong', () => (this.alive = true));
    this.ws.on('close', () => this.closedBySocket());
    this.ws.on('error', (err) => this.deps.logger.debug({ err: err.message, keyId: this.principal?.id }, 'live connection error'));
    if (authenticated) {
      this.authenticated(authenticated.principal, authenticated.key);
      return;
    }
    this.authTimer = setTimeout(() => {
      this.refuse(CLOSE_CODES.authTimeout, `no auth message within ${this.deps.authTimeoutMs} ms: send {"type":"auth","key":"<API key>"} first`);
    }, this.deps.authTimeoutMs);
  }

  get keyId(): string | undefined {
    return this.principal?.id;
  }

  /** An event frame routed to this client by the fan-in. */
  deliver(data: string): void {
    if (!this.closed) this.queue.send(data);
  }

  /**
   * One heartbeat tick: closes the connection if the previous ping went
   * unanswered, pings it otherwise, and checks its key again when due.
   * Returns false when the connection was closed as dead.
   */
  beat(): boolean {
    if (this.closed) return true;
    if (!this.alive) {
      this.deps.logger.debug({ keyId: this.principal?.id }, 'live connection did not answer a ping: closing');
      this.ws.terminate();
      this.closedBySocket();
      return false;
    }
    this.alive = false;
    try {
      this.ws.ping();
    } catch {
      // The socket is closing; its close event cleans up.
    }
    if (this.principal && this.now() - this.lastAuthAt >= this.deps.reauthIntervalMs) void this.reauthenticate();
    return true;
  }

  /** Closes the connection from the server's side (shutdown). */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.close(code, reason);
    this.closedBySocket();
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    const text = isBinary ? undefined : rawText(data);
    this.inbox = this.inbox.then(() => this.handle(text)).catch((err: unknown) => {
      this.deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'live connection: unexpected failure handling a message');
    });
  }

  private async handle(text: string | undefined): Promise<void> {
    if (this.closed) return;
    let message: ClientMessage;
    try {
      if (text === undefined) throw new ProtocolError('messages must be JSON text frames');
      message = parseClientMessage(text);
    } catch (err) {
      if (!this.principal) return this.refuse(CLOSE_CODES.protocol, `${(err as Error).message}; the first message must be {"type":"auth","key":"<API key>"}`);
      return this.reply(errorOf(err));
    }
    if (!this.principal) {
      if (message.type !== 'auth') return this.refuse(CLOSE_CODES.protocol, 'the first message must be {"type":"auth","key":"<API key>"}');
      return this.authenticate(message.key);
    }
    switch (message.type) {
      case 'auth':
        return this.reply({ type: 'error', message: 'already authenticated' });
      case 'subscribe':
        return this.subscribe(message.topics, message.id);
      case 'unsubscribe':
        return this.unsubscribe(message.topics, message.id);
      case 'ping':
        return this.reply({ type: 'pong', ts: new Date(this.now()).toISOString(), ...(message.id === undefined ? {} : { id: message.id }) });
    }
  }

  private async authenticate(key: string): Promise<void> {
    try {
      this.authenticated(await this.deps.auth.authenticate(key), key);
    } catch (err) {
      this.refuse(CLOSE_CODES.unauthorized, err instanceof AppError ? err.message : 'invalid or revoked API key');
    }
  }

  private authenticated(principal: Principal, key: string): void {
    clearTimeout(this.authTimer);
    this.principal = principal;
    this.key = key;
    this.lastAuthAt = this.now();
    const families = TOPIC_FAMILIES.filter((family) => visibleTo(family, principal.scopes)).map((family) => ({ name: family.name, topics: family.subjects }));
    this.reply({ type: 'ready', key: { id: principal.id, name: principal.name, scopes: principal.scopes }, families });
    this.deps.logger.debug({ keyId: principal.id }, 'live connection authenticated');
  }

  /** All-or-nothing: one pattern that no allowed family can ever match refuses the whole message. */
  private async subscribe(topics: string[], id: string | undefined): Promise<void> {
    const scopes = this.principal!.scopes;
    for (const topic of topics) {
      const families = familiesOverlapping(topic);
      if (families.length === 0) return this.reply({ type: 'error', message: `"${topic}" matches no live topic (see the families in the ready message)`, topic, ...withId(id) });
      if (!families.some((family) => visibleTo(family, scopes))) {
        const needed = families.map((family) => `${family.name} needs ${family.scope}`).join(', ');
        return this.reply({ type: 'error', message: `"${topic}" is not allowed for this API key (${needed})`, topic, ...withId(id) });
      }
    }
    const next = new Set([...this.topics, ...topics]);
    if (next.size > MAX_TOPICS_PER_CLIENT) return this.reply({ type: 'error', message: `at most ${MAX_TOPICS_PER_CLIENT} topics per connection`, ...withId(id) });
    for (const topic of topics) this.topics.add(topic);
    const families = this.deps.subscriptions.set(this, [...this.topics], scopes);
    await this.deps.settled();
    this.reply({ type: 'subscribed', topics: [...this.topics], families, ...withId(id) });
  }

  private unsubscribe(topics: string[], id: string | undefined): void {
    for (const topic of topics) this.topics.delete(topic);
    const families = this.deps.subscriptions.set(this, [...this.topics], this.principal!.scopes);
    this.reply({ type: 'unsubscribed', topics: [...this.topics], families, ...withId(id) });
  }

  private async reauthenticate(): Promise<void> {
    if (this.reauthenticating || !this.key) return;
    this.reauthenticating = true;
    try {
      const principal = await this.deps.auth.authenticate(this.key);
      this.lastAuthAt = this.now();
      if (principal.scopes.join() !== this.principal?.scopes.join()) {
        this.principal = principal;
        this.deps.subscriptions.set(this, [...this.topics], principal.scopes);
      }
    } catch (err) {
      if (err instanceof AppError && err.code === 'UNAUTHORIZED') this.refuse(CLOSE_CODES.unauthorized, 'the API key was revoked');
      // Anything else (the key store is unreachable for a moment): keep the connection, try again next beat.
    } finally {
      this.reauthenticating = false;
    }
  }

  /** Tells the client why (an error frame, then the close reason) and closes. */
  private refuse(code: number, message: string): void {
    if (this.closed) return;
    this.reply({ type: 'error', message });
    this.ws.close(code, truncate(message));
    this.closedBySocket();
  }

  private reply(message: ServerMessage): void {
    this.queue.send(frame(message));
  }

  private closedBySocket(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.authTimer);
    this.queue.clear();
    this.deps.subscriptions.remove(this);
    this.key = undefined;
    this.deps.onClosed(this);
  }
}

function errorOf(err: unknown): ServerMessage {
  if (err instanceof ProtocolError) return { type: 'error', message: err.message, ...withId(err.id), ...(err.topic === undefined ? {} : { topic: err.topic }) };
  return { type: 'error', message: 'could not handle the message' };
}

function withId(id: string | undefined): { id?: string } {
  return id === undefined ? {} : { id };
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

/** A close reason is at most 123 bytes. */
function truncate(reason: string): string {
  const bytes = Buffer.from(reason, 'utf8');
  return bytes.length <= 123 ? reason : bytes.subarray(0, 120).toString('utf8') + '...';
}
