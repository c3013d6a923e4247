import { describe, expect, it } from '@jest/globals';
import { isoFromMs, isoFromNanos, webhookBody } from './payload.js';

const TS = '2026-01-02T03:04:05.678Z';
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('payload - the Standard Webhooks body of an event', () => {
  it('embeds stored JSON objects and arrays byte for byte (key order and spacing kept)', () => {
    const data = '{"b": 1,  "a":[1, 2]}';
    const body = webhookBody('user.created', TS, bytes(data)).toString();
    expect(body).toBe(`{"type":"user.created","timestamp":"${TS}","data":${data}}`);
    expect(JSON.parse(body)).toEqual({ type: 'user.created', timestamp: TS, data: { b: 1, a: [1, 2] } });
    expect(JSON.parse(webhookBody('t', TS, bytes('[1,"x"]')).toString()).data).toEqual([1, 'x']);
  });

  it.each<[string, unknown]>([
    ['42', 42],
    ['"text"', 'text'],
    ['true', true],
    ['', null],
    ['not json', 'not json'],
    ['{unterminated', '{unterminated'],
  ])('makes %j valid JSON data', (stored, expected) => {
    expect(JSON.parse(webhookBody('t', TS, bytes(stored)).toString()).data).toEqual(expected);
  });

  it('escapes the topic as a JSON string', () => {
    expect(JSON.parse(webhookBody('a-b_c.d', TS, bytes('{}')).toString()).type).toBe('a-b_c.d');
  });

  it('turns JetStream nanoseconds into an ISO time', () => {
    expect(isoFromNanos(BigInt(Date.parse(TS)) * 1_000_000n + 123n)).toBe(TS);
  });

  it('formats millisecond times as ISO strings, the same one for the same millisecond', () => {
    const t = Date.parse(TS);
    expect(isoFromMs(t)).toBe(TS);
    expect(isoFromMs(t)).toBe(TS);
    expect(isoFromMs(t + 1)).toBe('2026-01-02T03:04:05.679Z');
    expect(isoFromMs(t)).toBe(TS);
  });

  it('stays right when two times alternate (an event time and now) and when a third comes in', () => {
    const t = Date.parse(TS);
    const later = t + 86_400_000;
    for (let i = 0; i < 3; i++) {
      expect(isoFromMs(t)).toBe(TS);
      expect(isoFromMs(later)).toBe('2026-01-03T03:04:05.678Z');
    }
    expect(isoFromMs(t + 2)).toBe('2026-01-02T03:04:05.680Z');
    expect(isoFromMs(later)).toBe('2026-01-03T03:04:05.678Z');
    expect(isoFromMs(t)).toBe(TS);
    expect(isoFromMs(t + 2)).toBe('2026-01-02T03:04:05.680Z');
  });
});
