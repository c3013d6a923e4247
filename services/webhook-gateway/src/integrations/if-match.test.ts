import { describe, expect, it } from '@jest/globals';
import { etagOf, revisionFromIfMatch } from './if-match.js';

describe('If-Match', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['*', undefined],
    ['7', 7],
    ['"7"', 7],
    [' "12" ', 12],
    [['"3"'], 3],
  ])('reads %j as revision %j', (header, revision) => {
    expect(revisionFromIfMatch(header)).toBe(revision);
  });

  it.each(['W/"7"', '"7', '7"', '0', '-1', '1.5', 'abc', '"1", "2"', '99999999999999999'])('refuses %j with VALIDATION', (header) => {
    expect(() => revisionFromIfMatch(header)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });

  it('makes the ETag from a revision', () => {
    expect(etagOf({ revision: 4 })).toBe('"4"');
    expect(etagOf({})).toBeUndefined();
    expect(etagOf(null)).toBeUndefined();
  });
});
