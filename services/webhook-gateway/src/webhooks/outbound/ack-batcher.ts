/** How long acks wait to be sent together: short against the ack wait, long enough to gather many. */
export const ACK_BATCH_MS = 2;

/**
 * Acks, naks and terms of messages settled within ACK_BATCH_MS go out
 * together: nats.js writes what is published within one microtask run at
 * once, and answers from receivers arrive in separate I/O callbacks, so
 * without this every ack would be a socket write (and a packet for
 * nats-server) of its own.
 */
export class AckBatcher {
  private queue: Array<() => void> = [];
  private timer?: NodeJS.Timeout;

  defer(settle: () => void): void {
    this.queue.push(settle);
    this.timer ??= setTimeout(this.flush, ACK_BATCH_MS);
  }

  /** Settles what is queued now (also before stopping). */
  readonly flush = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    const queue = this.queue;
    this.queue = [];
    for (const settle of queue) settle();
  };
}
