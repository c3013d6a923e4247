import { describe, expect, it } from '@jest/globals';
import { TopicMatcher } from './topic-matcher.js';

describe('topic matcher - an endpoint\'s patterns', () => {
  // The matching rules themselves are tested with libs/contracts' subjectMatches; these cover the matcher's two routes (literal set, wildcard tokens).
  it.each<[string, string, boolean]>([
    ['user.created', 'user.created', true],
    ['user.created', 'user.created.x', false],
    ['user.*', 'user.created', true],
    ['user.*', 'user.created.eu', false],
    ['order.>', 'order.item.shipped', true],
    ['order.>', 'order', false],
  ])('%s against %s is %s', (pattern, topic, expected) => {
    expect(new TopicMatcher([pattern]).matches(topic)).toBe(expected);
  });

  it('matches when any pattern does, and answers the same from its cache', () => {
    const matcher = new TopicMatcher(['user.*', 'order.>', 'audit']);
    for (let i = 0; i < 2; i++) {
      expect(matcher.matches('user.created')).toBe(true);
      expect(matcher.matches('order.item.shipped')).toBe(true);
      expect(matcher.matches('audit')).toBe(true);
      expect(matcher.matches('audit.x')).toBe(false);
      expect(matcher.matches('invoice.paid')).toBe(false);
    }
  });

  it('keeps answering correctly past its cache limit', () => {
    const matcher = new TopicMatcher(['t.*']);
    for (let i = 0; i < 3000; i++) expect(matcher.matches(`t.${i}`)).toBe(true);
    expect(matcher.matches('u.1')).toBe(false);
  });
});
