import { describe, expect, it } from '@jest/globals';
import { retryAfterToMs } from './retry-after.js';

describe('retryAfterToMs', () => {
  it('parses delay-seconds', () => {
    expect(retryAfterToMs('120')).toBe(120_000);
    expect(retryAfterToMs(' 5 ')).toBe(5_000);
    expect(retryAfterToMs('0')).toBe(0);
    expect(retryAfterToMs('1.5')).toBe(1_500);
  });

  it('parses an HTTP date relative to now', () => {
    const date = 'Wed, 21 Oct 2015 07:28:00 GMT';
    const at = Date.parse(date);
    expect(retryAfterToMs(date, at - 30_000)).toBe(30_000);
  });

  it('clamps a date in the past to 0', () => {
    expect(retryAfterToMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('2016-01-01T00:00:00Z'))).toBe(0);
  });

  it('returns undefined for missing or malformed values', () => {
    for (const value of [undefined, '', '  ', 'soon', '-5', '1e3', 'Mon, 99 Foo']) {
      expect(retryAfterToMs(value)).toBeUndefined();
    }
  });
});
