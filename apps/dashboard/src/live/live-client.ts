import { topicMatches } from './topic-match.js';

export type LiveStatus = 'connecting' | 'open' | 'closed' | 'unauthorized';

export interface LiveEvent {
  topic: string;
  data: unknown;
  ts: string;
}

interface Listener {
  patterns: string[];
  onEvent(event: LiveEvent): void;
  /** Events may have been missed (a reconnect, or the gateway discarded some): reload what is shown. */
  onResync?(): void;
}

const CLOSE_UNAUTHORIZED = 4401;

/**
 * The browser side of `/ws`. One WebSocket per tab, shared by every page:
 * authenticates with the first message (browsers cannot set headers on a
 * WebSocket, and the key must never be in the URL), subscribes to the union
 * of what the mounted pages want, dispatches events to them, and reconnects
 * with backoff. After a reconnect or a `dropped` notice the pages are told to
 * reload, since events may have been missed.
 */
export class LiveClient {
  private ws: WebSocket | undefined;
  private readonly listeners = new Set<Listener>();
  private readonly counts = new Map<string, number>();
  private readonly statusListeners = new Set<(status: LiveStatus) => void>();
  private statusValue: LiveStatus = 'closed';
  private retryMs = 1000;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private everOpened = false;

  constructor(
    private readonly key: string,
    private readonly url = defaultUrl(),
  ) {}

  get status(): LiveStatus {
    return this.statusValue;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.ws?.close(1000);
    this.ws = undefined;
  }

  onStatus(listener: (status: LiveStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Registers a listener; returns the function that removes it. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    const added = listener.patterns.filter((p) => this.retain(p));
    if (added.length > 0) this.send({ type: 'subscribe', topics: added });
    return () => {
      this.listeners.delete(listener);
      const removed = listener.patterns.filter((p) => this.release(p));
      if (removed.length > 0) this.send({ type: 'unsubscribe', topics: removed });
    };
  }

  private connect(): void {
    this.setStatus('connecting');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: 'auth', key: this.key }));
      const topics = [...this.counts.keys()];
      if (topics.length > 0) ws.send(JSON.stringify({ type: 'subscribe', topics }));
    };
    ws.onmessage = (message) => this.receive(String(message.data));
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (event.code === CLOSE_UNAUTHORIZED) return this.setStatus('unauthorized');
      this.setStatus('closed');
      if (this.stopped) return;
      this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 30_000);
    };
  }

  private receive(text: string): void {
    let message: { type?: string; topic?: string; data?: unknown; ts?: string; message?: string };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    switch (message.type) {
      case 'ready':
        this.retryMs = 1000;
        this.setStatus('open');
        if (this.everOpened) this.resync();
        this.everOpened = true;
        return;
      case 'event': {
        const event: LiveEvent = { topic: message.topic ?? '', data: message.data, ts: message.ts ?? new Date().toISOString() };
        for (const listener of [...this.listeners]) {
          if (listener.patterns.some((p) => topicMatches(p, event.topic))) listener.onEvent(event);
        }
        return;
      }
      case 'dropped':
        return this.resync();
      case 'error':
        console.warn('live events:', message.message);
        return;
    }
  }

  private resync(): void {
    for (const listener of [...this.listeners]) listener.onResync?.();
  }

  private send(message: unknown): void {
    // Once open, the auth message went first (onopen); before that, onopen subscribes to everything wanted.
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  /** True when the pattern is new (subscribe it). */
  private retain(pattern: string): boolean {
    const n = this.counts.get(pattern) ?? 0;
    this.counts.set(pattern, n + 1);
    return n === 0;
  }

  /** True when no listener wants the pattern any more (unsubscribe it). */
  private release(pattern: string): boolean {
    const n = (this.counts.get(pattern) ?? 1) - 1;
    if (n <= 0) {
      this.counts.delete(pattern);
      return true;
    }
    this.counts.set(pattern, n);
    return false;
  }

  private setStatus(status: LiveStatus): void {
    this.statusValue = status;
    for (const listener of [...this.statusListeners]) listener(status);
  }
}

function defaultUrl(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}
