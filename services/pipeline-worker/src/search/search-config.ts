import { parseOutboundAllow, type OutboundPolicy } from '@autoweave/resilience';
import { ConfigError, type EnvReader } from '@autoweave/service-kit';
import { embedderRegistry } from '@autoweave/storage';

/** A Bolt server for the endpoint graph (Neo4j or Memgraph). */
export interface GraphSettings {
  url: string;
  username: string;
  password: string;
  database?: string;
}

/**
 * Settings of endpoint indexing, search and database sync, read once at
 * start-up (docs/CONFIGURATION.md) and part of the worker's frozen config.
 */
export interface SearchSettings {
  /** Index every OpenAPI integration's operations (AUTOWEAVE_INDEX_ENDPOINTS). */
  indexEndpoints: boolean;
  /** The embedder config of the `embed` processor (validated, defaults filled): indexing and queries use the same one. */
  embedder: Record<string, unknown>;
  /** The process's vector store is Qdrant when this is set, else the embedded store under the data folder. */
  qdrant?: { url: string; apiKey?: string };
  /** Where the Integration -EXPOSES-> Operation -USES-> Schema graph is written; absent: no graph. */
  graph?: GraphSettings;
  /** Address classes outbound HTTP from pipeline components may reach besides public ones (an embedding server, a spec URL). */
  outboundPolicy: OutboundPolicy;
  /** Least delay before a failed reconcile of an integration's pipelines is tried again (doubling up to a minute). */
  retryMs: number;
}

export function loadSearchSettings(env: EnvReader): SearchSettings {
  const outboundPolicy = env.parsed('AUTOWEAVE_OUTBOUND_ALLOW', parseOutboundAllow);
  const qdrantUrl = env.optional('AUTOWEAVE_QDRANT_URL');
  const neo4jUrl = env.optional('AUTOWEAVE_NEO4J_URL');
  return {
    indexEndpoints: env.bool('AUTOWEAVE_INDEX_ENDPOINTS', true),
    embedder: embedderFromEnv(env),
    ...(qdrantUrl ? { qdrant: { url: httpUrl(qdrantUrl, 'AUTOWEAVE_QDRANT_URL'), ...optional('apiKey', env.optional('AUTOWEAVE_QDRANT_API_KEY')) } } : {}),
    ...(neo4jUrl
      ? {
          graph: {
            url: neo4jUrl,
            username: env.string('AUTOWEAVE_NEO4J_USERNAME', 'neo4j'),
            password: env.string('AUTOWEAVE_NEO4J_PASSWORD', ''),
            ...optional('database', env.optional('AUTOWEAVE_NEO4J_DATABASE')),
          },
        }
      : {}),
    outboundPolicy,
    retryMs: env.int('AUTOWEAVE_INDEX_RETRY_MS', 2000, { min: 10, max: 60_000 }),
  };
}

/**
 * AUTOWEAVE_EMBEDDER=lexical (default; AUTOWEAVE_EMBEDDER_DIMENSIONS) or
 * openai (AUTOWEAVE_EMBEDDER_URL, AUTOWEAVE_EMBEDDER_MODEL,
 * AUTOWEAVE_EMBEDDER_API_KEY, AUTOWEAVE_EMBEDDER_DIMENSIONS), checked against
 * the embedder's own schema so a bad setting stops the worker at start.
 */
function embedderFromEnv(env: EnvReader): Record<string, unknown> {
  const type = env.string('AUTOWEAVE_EMBEDDER', 'lexical');
  const dimensions = env.optional('AUTOWEAVE_EMBEDDER_DIMENSIONS');
  const config: Record<string, unknown> = { type, ...(dimensions === undefined ? {} : { dimensions: env.int('AUTOWEAVE_EMBEDDER_DIMENSIONS', 0, { min: 1, max: 65_536 }) }) };
  if (type === 'openai') {
    Object.assign(
      config,
      optional('url', env.optional('AUTOWEAVE_EMBEDDER_URL')),
      optional('model', env.optional('AUTOWEAVE_EMBEDDER_MODEL')),
      optional('apiKey', env.optional('AUTOWEAVE_EMBEDDER_API_KEY')),
    );
  }
  try {
    return embedderRegistry.validate(config, 'AUTOWEAVE_EMBEDDER');
  } catch (err) {
    // The embedder's schema names its fields (AUTOWEAVE_EMBEDDER.url); name the variables instead.
    const message = (err as Error).message.replace(/AUTOWEAVE_EMBEDDER\.(url|model|apiKey|dimensions)/g, (_m, field: string) => `AUTOWEAVE_EMBEDDER_${ENV_SUFFIX[field]}`);
    throw new ConfigError(`${message} (AUTOWEAVE_EMBEDDER is lexical or openai; openai needs AUTOWEAVE_EMBEDDER_URL and AUTOWEAVE_EMBEDDER_MODEL)`);
  }
}

const ENV_SUFFIX: Record<string, string> = { url: 'URL', model: 'MODEL', apiKey: 'API_KEY', dimensions: 'DIMENSIONS' };

function httpUrl(value: string, name: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // reported below
  }
  throw new ConfigError(`${name} must be an http(s) URL`);
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, string>);
}
