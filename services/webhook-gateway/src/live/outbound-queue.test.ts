import { describe, expect, it } from '@jest/globals';
import { OutboundQueue, type SendingSocket } from './outbound-queue.js';

/** A socket whose unsent bytes the test controls: writes stay buffered until flush(). */
class StalledSocket implements SendingSocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly written: string[] = [];
  private callbacks: Array<() => void> = [];

  send(data: string, cb?: (err?: Error) => void): void {
    this.written.push(data);
    this.bufferedAmount += data.length;
    if (cb) this.callbacks.push(() => cb());
  }

  /** The peer read everything: the buffer empties and the write callbacks run. */
  flush(): void {
    this.bufferedAmount = 0;
    const callbacks = this.callbacks;
    this.callbacks = [];
    for (const cb of callbacks) cb();
  }
}

describe('live - outbound queue', () => {
  it('writes straight through while the socket is under the high-water mark', () => {
    const socket = new StalledSocket();
    const queue = new OutboundQueue(socket, { highWaterBytes: 100, maxQueuedMessages: 2, maxQueuedBytes: 1000 });
    queue.send('a');
    queue.send('b');
    expect(socket.written).toEqual(['a', 'b']);
    expect(queue.length).toBe(0);
  });

  it('queues above the mark, discards the oldest beyond the limit, then sends the notice and the newest', () => {
    const socket = new StalledSocket();
    const drops: number[] = [];
    const queue = new OutboundQueue(socket, { highWaterBytes: 10, maxQueuedMessages: 2, maxQueuedBytes: 1000 }, (n) => drops.push(n));
    queue.send('x'.repeat(10)); // fills the socket
    for (const n of [1, 2, 3, 4, 5]) queue.send(`e${n}`);
    expect(socket.written).toEqual(['x'.repeat(10)]);
    expect(queue.length).toBe(2);
    expect(drops).toEqual([1, 1, 1]);
    for (let i = 0; i < 3; i++) socket.flush(); // one frame over the mark each time
    expect(socket.written.slice(1).map((w) => (w.startsWith('{') ? JSON.parse(w) : w))).toEqual([
      { type: 'dropped', count: 3, message: expect.stringMatching(/3 event/) },
      'e4',
      'e5',
    ]);
  });

  it('bounds the queue by size as well as by count', () => {
    const socket = new StalledSocket();
    const queue = new OutboundQueue(socket, { highWaterBytes: 1, maxQueuedMessages: 100, maxQueuedBytes: 25 });
    queue.send('first');
    for (let n = 0; n < 5; n++) queue.send('y'.repeat(10));
    expect(queue.length).toBe(2);
  });

  it('sends nothing once the socket is no longer open', () => {
    const socket = new StalledSocket();
    socket.readyState = 3;
    new OutboundQueue(socket, { highWaterBytes: 100, maxQueuedMessages: 2, maxQueuedBytes: 100 }).send('a');
    expect(socket.written).toEqual([]);
  });
});
