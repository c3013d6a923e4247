import { describe, expect, it } from '@jest/globals';
import { envReader } from '@autoweave/service-kit';
import { loadSearchSettings } from './search-config.js';

const load = (env: Record<string, string>) => loadSearchSettings(envReader(env));

describe('search settings - read once from the environment', () => {
  it('defaults to indexing with the lexical embedder, the embedded store and no graph', () => {
    const settings = load({});
    expect(settings).toMatchObject({ indexEndpoints: true, embedder: { type: 'lexical', dimensions: 384 }, retryMs: 2000 });
    expect(settings.qdrant).toBeUndefined();
    expect(settings.graph).toBeUndefined();
  });

  it('reads an OpenAI-compatible embedder, Qdrant and a graph server', () => {
    const settings = load({
      AUTOWEAVE_EMBEDDER: 'openai',
      AUTOWEAVE_EMBEDDER_URL: 'http://127.0.0.1:11434',
      AUTOWEAVE_EMBEDDER_MODEL: 'nomic-embed-text',
      AUTOWEAVE_EMBEDDER_API_KEY: 'sk-test',
      AUTOWEAVE_EMBEDDER_DIMENSIONS: '768',
      AUTOWEAVE_QDRANT_URL: 'http://qdrant:6333',
      AUTOWEAVE_NEO4J_URL: 'bolt://neo4j:7687',
      AUTOWEAVE_NEO4J_PASSWORD: 'pw',
      AUTOWEAVE_INDEX_ENDPOINTS: 'false',
      AUTOWEAVE_OUTBOUND_ALLOW: 'loopback',
    });
    expect(settings.embedder).toMatchObject({ type: 'openai', url: 'http://127.0.0.1:11434', model: 'nomic-embed-text', apiKey: 'sk-test', dimensions: 768 });
    expect(settings.qdrant).toEqual({ url: 'http://qdrant:6333' });
    expect(settings.graph).toEqual({ url: 'bolt://neo4j:7687', username: 'neo4j', password: 'pw' });
    expect(settings.indexEndpoints).toBe(false);
    expect(settings.outboundPolicy.allow.has('loopback')).toBe(true);
  });

  it.each([
    [{ AUTOWEAVE_EMBEDDER: 'openai', AUTOWEAVE_EMBEDDER_MODEL: 'm' }, 'AUTOWEAVE_EMBEDDER_URL'],
    [{ AUTOWEAVE_EMBEDDER: 'bert' }, 'AUTOWEAVE_EMBEDDER'],
    [{ AUTOWEAVE_EMBEDDER_DIMENSIONS: '8' }, 'AUTOWEAVE_EMBEDDER_DIMENSIONS must be >= 16'],
    [{ AUTOWEAVE_QDRANT_URL: 'qdrant:6333' }, 'AUTOWEAVE_QDRANT_URL'],
    [{ AUTOWEAVE_OUTBOUND_ALLOW: 'everything' }, 'everything'],
  ])('refuses %j naming %s', (env, name) => {
    expect(() => load(env)).toThrow(name);
  });
});
