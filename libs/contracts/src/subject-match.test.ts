import { describe, expect, it } from '@jest/globals';
import { subjectMatches } from './subject-match.js';

describe('subject matching - NATS wildcard rules', () => {
  it.each<[string, string, boolean]>([
    ['user.created', 'user.created', true],
    ['user.created', 'user.deleted', false],
    ['user.created', 'user.created.x', false],
    ['user.*', 'user.created', true],
    ['user.*', 'user', false],
    ['user.*', 'user.created.eu', false],
    ['user.*', 'users.created', false],
    ['*.created', 'order.created', true],
    ['*.created', 'order.item.created', false],
    ['a.*.c', 'a.b.c', true],
    ['a.*.c', 'a.b.d', false],
    ['order.>', 'order.paid', true],
    ['order.>', 'order.item.shipped', true],
    ['order.>', 'order', false],
    ['order.>', 'orders.paid', false],
    ['>', 'anything', true],
    ['>', 'any.thing.at.all', true],
    ['*', 'one', true],
    ['*', 'one.two', false],
    ['*.>', 'one', false],
    ['*.>', 'one.two', true],
    ['a.*.>', 'a.b.c.d', true],
    ['a.*.>', 'a.b', false],
  ])('%s against %s is %s', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });
});
