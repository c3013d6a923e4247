import { describe, expect, it } from '@jest/globals';
import {
  BUILTIN_INTEGRATION_TYPES,
  INTEGRATION_EVENTS,
  LIVE_TOPIC_FAMILIES,
  PIPELINE_EVENTS,
  subjectFilter,
  subjectFor,
  subjectMatches,
} from '@autoweave/contracts';
import { INTEGRATION_TYPES } from '../integrations/register-form.js';
import { topicMatches } from './topic-match.js';
import { callTopics, deliveryTopic, INTEGRATION_CHANGES, TOPICS } from './topics.js';

/**
 * The browser bundle repeats a few runtime values of libs/contracts (importing
 * the package at runtime would bundle class-validator). Jest runs in Node and
 * may import it, so these tests hold the copies to the catalogue.
 */
describe('dashboard - live topics agree with libs/contracts', () => {
  it('names the integration events as the catalogue does', () => {
    expect(TOPICS.integrationCreated).toBe(INTEGRATION_EVENTS.created);
    expect(TOPICS.integrationUpdated).toBe(INTEGRATION_EVENTS.updated);
    expect(TOPICS.integrationDeleted).toBe(INTEGRATION_EVENTS.deleted);
    expect(TOPICS.integrationFailed).toBe(INTEGRATION_EVENTS.failed);
    expect(TOPICS.integrationHealthChanged).toBe(INTEGRATION_EVENTS.healthChanged);
    expect(TOPICS.integrationOpenapiUpdated).toBe(INTEGRATION_EVENTS.openapiUpdated);
    expect(TOPICS.moduleDiscovered).toBe(INTEGRATION_EVENTS.moduleDiscovered);
  });

  it('watches every integration event but module discovery as a change', () => {
    const { moduleDiscovered: _discovered, ...changes } = INTEGRATION_EVENTS;
    expect([...INTEGRATION_CHANGES].sort()).toEqual(Object.values(changes).sort());
  });

  it('matches exactly the pipeline execution events with pipelineExecution, and names data written as the catalogue does', () => {
    const { dataWritten, ...executions } = PIPELINE_EVENTS;
    const all = Object.values(PIPELINE_EVENTS);
    expect(all.filter((subject) => subjectMatches(TOPICS.pipelineExecution, subject)).sort()).toEqual(Object.values(executions).sort());
    expect(TOPICS.pipelineDataWritten).toBe(dataWritten);
  });

  it('builds the per-integration call and delivery topics as the catalogue does', () => {
    expect(callTopics('crm')).toEqual([subjectFor.integrationRequest('crm'), subjectFor.integrationError('crm')]);
    expect(deliveryTopic('crm')).toBe(subjectFilter.webhookDeliveries('crm'));
  });

  it('asks only for topics the gateway relays (a live topic family covers each)', () => {
    const families = Object.values(LIVE_TOPIC_FAMILIES).flat();
    const { pipelineExecution: _wildcard, ...plain } = TOPICS;
    // A concrete subject for each topic the pages watch (the wildcards stand for the catalogue's events).
    const watched = [...Object.values(plain), ...Object.values(PIPELINE_EVENTS), ...callTopics('crm'), subjectFor.webhookDelivery('crm', 'succeeded')];
    expect(watched.filter((subject) => !families.some((family) => subjectMatches(family, subject)))).toEqual([]);
    expect(subjectMatches(deliveryTopic('crm'), subjectFor.webhookDelivery('crm', 'succeeded'))).toBe(true);
  });

  it('matches wildcards as the contracts matcher does', () => {
    const patterns = ['a.b', 'a.*', 'a.>', '*.b', '>', 'a.*.c', 'a.b.>', '*'];
    const topics = ['a', 'a.b', 'a.c', 'b.b', 'a.b.c', 'a.x.c', 'a.b.c.d', ''];
    for (const pattern of patterns) for (const topic of topics) expect([pattern, topic, topicMatches(pattern, topic)]).toEqual([pattern, topic, subjectMatches(pattern, topic)]);
  });

  it('offers the built-in integration types in the register form', () => {
    expect([...INTEGRATION_TYPES]).toEqual([...BUILTIN_INTEGRATION_TYPES]);
  });
});
