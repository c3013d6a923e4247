import { frame } from './protocol.js';

/** The part of a `ws` WebSocket the queue uses. */
export interface SendingSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string, cb?: (err?: Error) => void): void;
}

export interface SendLimits {
  /** Bytes the socket may hold unsent before frames wait in the queue instead. */
  highWaterBytes: number;
  /** Frames waiting at most; beyond it the oldest is discarded. */
  maxQueuedMessages: number;
  /** Characters of waiting frames at most; beyond it the oldest are discarded. */
  maxQueuedBytes: number;
}

const OPEN = 1;

/**
 * Backpressure for one client. Frames go straight to the socket while its
 * unsent bytes stay under the high-water mark; after that they wait here, and
 * when the wait list is full the OLDEST waiting frames are discarded (live
 * status is about now: the newest event is the one worth having). When the
 * client catches up it first receives `{type: 'dropped', count}` at the place
 * of the gap, then the frames that were kept. Memory per client is thus
 * bounded by the high-water mark plus the queue limits, whatever the client
 * does; a client that stops reading altogether also stops answering pings and
 * is closed by the heartbeat.
 */
export class OutboundQueue {
  private items: string[] = [];
  private head = 0;
  private queuedBytes = 0;
  private dropped = 0;

  constructor(
    private readonly socket: SendingSocket,
    private readonly limits: SendLimits,
    private readonly onDrop: (count: number) => void = () => undefined,
  ) {}

  /** Frames waiting (for tests and metrics). */
  get length(): number {
    return this.items.length - this.head;
  }

  send(data: string): void {
    if (this.socket.readyState !== OPEN) return;
    if (this.length === 0 && this.dropped === 0 && this.socket.bufferedAmount < this.limits.highWaterBytes) {
      this.write(data);
      return;
    }
    this.items.push(data);
    this.queuedBytes += data.length;
    this.trim();
  }

  /** Forgets everything waiting (the connection is closing). */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.queuedBytes = 0;
  }

  private trim(): void {
    let discarded = 0;
    while (this.length > 0 && (this.length > this.limits.maxQueuedMessages || this.queuedBytes > this.limits.maxQueuedBytes)) {
      this.queuedBytes -= this.items[this.head]!.length;
      this.items[this.head++] = '';
      discarded++;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (discarded > 0) {
      this.dropped += discarded;
      this.onDrop(discarded);
    }
  }

  private write(data: string): void {
    this.socket.send(data, (err) => {
      if (!err) this.pump();
    });
  }

  /** Runs each time a write has reached the kernel: moves waiting frames while there is room. */
  private pump(): void {
    while (this.socket.readyState === OPEN && this.socket.bufferedAmount < this.limits.highWaterBytes) {
      if (this.dropped > 0) {
        const count = this.dropped;
        this.dropped = 0;
        this.write(frame({ type: 'dropped', count, message: `${count} event(s) were discarded: this connection did not keep up` }));
        continue;
      }
      if (this.length === 0) break;
      const next = this.items[this.head]!;
      this.items[this.head++] = '';
      this.queuedBytes -= next.length;
      if (this.length === 0) this.clear();
      this.write(next);
    }
  }
}
