import { describe, expect, it } from '@jest/globals';
import { INTEGRATION_EVENTS } from '@autoweave/contracts';
import { overlaps, patternProblem } from './topic-pattern.js';

const { created } = INTEGRATION_EVENTS;

describe('live - topic patterns', () => {
  it.each<[string, string, boolean]>([
    ['>', created, true],
    ['integration.>', 'integration.*.request', true],
    ['integration.*', 'integration.*.request', false],
    ['*.*.request', 'integration.*.request', true],
    ['pipeline.>', 'integration.>', false],
    ['events.user.*', 'events.>', true],
    ['events', 'events.>', false],
    ['a.*.c', 'a.b.*', true],
    ['a.*.c', 'a.b.d', false],
    ['a.>', 'a', false],
    ['*.>', 'a.b', true],
  ])('%s overlaps %s: %s', (a, b, expected) => {
    expect(overlaps(a, b)).toBe(expected);
    expect(overlaps(b, a)).toBe(expected);
  });

  it.each(['', 'a..b', 'a.>.b', 'a b', 'a.*x', '.a', 'a.', 'x'.repeat(300), 42, null])('refuses %j', (pattern) => {
    expect(patternProblem(pattern)).toEqual(expect.any(String));
  });

  it.each(['>', '*', 'integration.>', 'events.user.*', 'webhook.delivery.*.failed', 'a-b_c.D1'])('accepts %s', (pattern) => {
    expect(patternProblem(pattern)).toBeUndefined();
  });
});
