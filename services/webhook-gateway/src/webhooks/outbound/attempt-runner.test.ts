import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { sign, verify } from '../signature.js';
import { webhookSignature } from './attempt-runner.js';

describe('webhookSignature - the header a delivery carries', () => {
  const body = Buffer.from('{"type":"order.created","timestamp":"2026-01-02T03:04:05.678Z","data":{"id":1}}');

  it('is what sign() makes, for one key and for the keys of a rotation, again and again', () => {
    const current = randomBytes(32);
    const previous = randomBytes(24);
    for (let i = 0; i < 3; i++) {
      expect(webhookSignature([current], 'msg_7', '1767323045', body)).toBe(sign([current], 'msg_7', 1767323045, body));
      expect(webhookSignature([current, previous], 'msg_7', '1767323045', body)).toBe(sign([current, previous], 'msg_7', 1767323045, body));
    }
  });

  it('verifies under either key and fails for another body', () => {
    const current = randomBytes(32);
    const previous = randomBytes(32);
    const header = webhookSignature([current, previous], 'msg_8', '1767323045', body);
    const headers = { 'webhook-id': 'msg_8', 'webhook-timestamp': '1767323045', 'webhook-signature': header };
    expect(verify([previous], headers, body, 1767323045)).toEqual({ ok: true, timestamp: 1767323045 });
    expect(verify([current], headers, body, 1767323045)).toEqual({ ok: true, timestamp: 1767323045 });
    expect(verify([current], headers, Buffer.from('{}'), 1767323045).ok).toBe(false);
  });
});
