/** What the heartbeat drives: one tick per connection (see LiveConnection.beat). */
export interface Beating {
  beat(): boolean;
}

/**
 * One timer for every connection, not one per connection: each tick closes
 * the connections that left the previous ping unanswered and pings the rest.
 * A dead peer (gone without a TCP close, or no longer reading) is thus gone
 * after at most two intervals.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly connections: () => Iterable<Beating>,
    private readonly onDead: () => void = () => undefined,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  tick(): void {
    for (const connection of [...this.connections()]) if (!connection.beat()) this.onDead();
  }
}
