import { describe, expect, it } from '@jest/globals';
import { ackWaitMs, deliveryConsumerName, filterSubjectFor, parseConsumerName, replayConsumerName } from './consumer-plan.js';

const ID = '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';

describe('consumer plan - names, filters and ack wait of the delivery consumers', () => {
  it('names consumers after the integration and reads the integration back', () => {
    expect(parseConsumerName(deliveryConsumerName(ID))).toEqual({ kind: 'delivery', integrationId: ID });
    expect(parseConsumerName(replayConsumerName(ID, 'ab12cd34'))).toEqual({ kind: 'replay', integrationId: ID });
    expect(parseConsumerName('webhook-republisher')).toBeUndefined();
    expect(parseConsumerName('pipeline_x')).toBeUndefined();
  });

  it.each<[string[], string]>([
    [['user.*'], 'events.user.*'],
    [['order.>'], 'events.order.>'],
    [['user.*', 'user.*'], 'events.user.*'],
    [['user.*', 'order.>'], 'events.>'],
    [['>'], 'events.>'],
  ])('filters %j on the server with %s', (patterns, filter) => {
    expect(filterSubjectFor(patterns)).toBe(filter);
  });

  it('waits twice the endpoint timeout plus the margin for an ack', () => {
    expect(ackWaitMs({ timeoutMs: 15_000 }, { ackMarginMs: 30_000 })).toBe(60_000);
  });
});
