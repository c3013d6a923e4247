import { describe, expect, it } from '@jest/globals';
import { pluginToken } from '@autoweave/contracts';
import { inNamespace, patternCovers } from './topic-patterns.js';

describe('plugin bus - a declared subscription covers a requested one only if it is as wide or wider', () => {
  it.each([
    ['orders.*', 'orders.*', true],
    ['orders.*', 'orders.created', true],
    ['orders.>', 'orders.created.eu', true],
    ['orders.>', 'orders.*', true],
    ['orders.>', 'orders.>', true],
    ['>', 'anything.at.all', true],
    ['*.created', 'user.created', true],
    ['orders.created', 'orders.created', true],
    ['orders.*', 'orders.>', false],
    ['orders.*', 'orders.created.eu', false],
    ['orders.created', 'orders.*', false],
    ['orders.>', 'orders', false],
    ['orders.*', 'users.created', false],
    ['*.created', '*.*', false],
    ['orders.*', '>', false],
  ])('%s covers %s: %s', (declared, requested, expected) => expect(patternCovers(declared, requested)).toBe(expected));
});

describe('plugin bus - publishing stays inside the namespace', () => {
  it.each([
    ['plugins.echo.done', true],
    ['plugins.echo.a.b', true],
    ['plugins.echo', false],
    ['plugins.echoes.done', false],
    ['plugins.other.done', false],
    ['plugins.echo.*', false],
    ['plugins.echo.>', false],
    ['orders.created', false],
  ])('%s: %s', (topic, expected) => expect(inNamespace(topic, 'plugins.echo')).toBe(expected));

  it.each([
    ['echo', 'echo'],
    ['@acme/Slack Bot', 'acme-slack-bot'],
    ['my.plugin_v2', 'my-plugin_v2'],
    ['@@@', 'plugin'],
  ])('the namespace token of %s is %s', (name, token) => expect(pluginToken(name)).toBe(token));
});
