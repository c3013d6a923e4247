import { describe, expect, it } from '@jest/globals';
import { topicMatches } from '../live/topic-match.js';
import { buildRegisterRequest } from './register-form.js';
import { callSeries } from './series.js';

describe('dashboard - register form', () => {
  it('builds the register body from the typed values, leaving empty inputs out', () => {
    const { body, problems } = buildRegisterRequest('webhook', {
      name: ' crm ',
      tags: 'a, b,',
      'config.url': 'https://hooks.example.com',
      'config.events': 'order.*, user.created',
      'config.secret': '',
      'config.headers': '{"x-team": "sales"}',
    });
    expect(problems).toEqual({});
    expect(body).toEqual({
      type: 'webhook',
      name: 'crm',
      tags: ['a', 'b'],
      config: { url: 'https://hooks.example.com', events: ['order.*', 'user.created'], headers: { 'x-team': 'sales' } },
    });
  });

  it('reports JSON that does not parse against its field and sends the rest as typed', () => {
    const { body, problems } = buildRegisterRequest('database', { name: 'db', 'config.connectionString': 'nope', 'config.syncEnabled': true, 'config.timeoutMs': 'x' });
    expect(body).toEqual({ type: 'database', name: 'db', config: { connectionString: 'nope', syncEnabled: true } });
    expect(problems).toEqual({});
    expect(buildRegisterRequest('openapi', { 'config.openAPISpec': '{oops' }).problems).toEqual({ 'config.openAPISpec': ['not valid JSON'] });
  });
});

describe('dashboard - call series and topics', () => {
  it('buckets calls per minute: rate, error rate and p95 latency', () => {
    const from = Date.parse('2030-01-01T10:00:00Z');
    const at = (s: number) => new Date(from + s * 1000).toISOString();
    const call = (s: number, outcome: string, durationMs: number) => ({ ts: at(s), level: 'info', integrationId: 'i', kind: 'request' as const, action: 'a', outcome, durationMs });
    const series = callSeries([call(5, 'ok', 10), call(20, 'UPSTREAM', 30), call(70, 'ok', 5), { ...call(80, 'ok', 1), kind: 'health' as const }], from, from + 180_000);
    expect(series.rate.map((p) => p.v)).toEqual([2, 1, 0, 0]);
    expect(series.errorRate.map((p) => p.v)).toEqual([50, 0]);
    expect(series.latency.map((p) => p.v)).toEqual([30, 5]);
  });

  it.each<[string, string, boolean]>([
    ['integration.*', 'integration.created', true],
    ['integration.*', 'integration.health.changed', false],
    ['webhook.delivery.x.*', 'webhook.delivery.x.failed', true],
    ['pipeline.>', 'pipeline.execution.started', true],
  ])('%s matches %s: %s', (pattern, topic, expected) => expect(topicMatches(pattern, topic)).toBe(expected));
});
