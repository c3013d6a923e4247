/**
 * Acks, naks and terms of the messages settled in one turn of the event loop
 * go out together. nats.js writes what was published within one microtask
 * run at once; answers from receivers arrive in separate I/O callbacks, so
 * without this every ack would be a socket write of its own.
 */
export class AckBatcher {
  private queue: Array<() => void> = [];
  private scheduled = false;

  defer(settle: () => void): void {
    this.queue.push(settle);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flush);
  }

  /** Settles what is queued now (also before stopping). */
  readonly flush = (): void => {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    for (const settle of queue) settle();
  };
}
