/**
 * The pipeline builder's state and the JSON it makes: exactly the body of
 * `POST /api/pipeline/register` (source -> processors -> destination, batch
 * size, schedule). Stage configs are JSON edited in place, started from a
 * template per component type; the worker validates them against each
 * component's schema and names the field (`processors[0].config.select`).
 */
export const SOURCE_TYPES = ['postgres', 'integration', 'nats'] as const;
export const DESTINATION_TYPES = ['postgres', 'vector', 'qdrant', 'neo4j', 'nats'] as const;
export const PROCESSOR_TYPES = ['map', 'convert', 'filter', 'transform', 'dedupe', 'chunk', 'embed', 'plugin'] as const;
export const SCHEDULE_TYPES = ['manual', 'interval', 'cron', 'event'] as const;

/** Starting configs, to be edited: the fields each component needs first. */
export const TEMPLATES: Record<string, Record<string, unknown>> = {
  'source:postgres': { connectionString: 'postgres://user:password@host:5432/db', table: 'public.source', keyColumns: ['id'], cursorColumn: 'updated_at' },
  'source:integration': { integrationId: '00000000-0000-4000-8000-000000000000', action: 'listItems' },
  'source:nats': { subject: 'events.>' },
  'destination:postgres': {
    connectionString: 'postgres://user:password@host:5432/db',
    table: 'public.copy',
    keyColumns: ['id'],
    createTable: true,
    columns: [{ name: 'id', type: 'bigint' }],
  },
  'destination:vector': { collection: 'items', keyField: 'id' },
  'destination:qdrant': { url: 'http://qdrant:6333', collection: 'items' },
  'destination:neo4j': { url: 'bolt://neo4j:7687', username: 'neo4j', password: '', nodes: { label: 'Item', keyField: 'id' } },
  'destination:nats': { subject: 'events.items' },
  'processor:map': { select: ['id'] },
  'processor:convert': { fields: { id: 'integer' } },
  'processor:filter': { expression: 'status = "active"' },
  'processor:transform': { expression: '$' },
  'processor:dedupe': { fields: ['id'] },
  'processor:chunk': { field: 'text', size: 1000 },
  'processor:embed': { field: 'text', embedder: { type: 'lexical', dimensions: 384 } },
  'processor:plugin': { name: 'my-plugin' },
};

export function template(role: 'source' | 'destination' | 'processor', type: string): string {
  return JSON.stringify(TEMPLATES[`${role}:${type}`] ?? {}, null, 2);
}

export interface StageState {
  type: string;
  config: string;
}

export interface BuilderState {
  name: string;
  description: string;
  source: StageState;
  processors: StageState[];
  destination: StageState;
  batchSize: string;
  schedule: { type: string; everyMs: string; cron: string; timezone: string; event: string };
  enabled: boolean;
}

export function initialBuilderState(): BuilderState {
  return {
    name: '',
    description: '',
    source: { type: 'postgres', config: template('source', 'postgres') },
    processors: [],
    destination: { type: 'postgres', config: template('destination', 'postgres') },
    batchSize: '1000',
    schedule: { type: 'manual', everyMs: '60000', cron: '0 * * * *', timezone: 'UTC', event: 'order.*' },
    enabled: true,
  };
}

export interface BuiltPipeline {
  body: Record<string, unknown>;
  /** JSON that does not parse, by path (`source.config`). */
  problems: Record<string, string[]>;
}

export function buildPipelineRequest(state: BuilderState): BuiltPipeline {
  const problems: Record<string, string[]> = {};
  const stage = (path: string, s: StageState) => {
    try {
      const config = s.config.trim() === '' ? {} : (JSON.parse(s.config) as unknown);
      return { type: s.type, config };
    } catch {
      problems[`${path}.config`] = ['not valid JSON'];
      return { type: s.type, config: {} };
    }
  };
  const body: Record<string, unknown> = { name: state.name.trim() };
  if (state.description.trim()) body.description = state.description.trim();
  body.source = stage('source', state.source);
  if (state.processors.length > 0) body.processors = state.processors.map((p, i) => stage(`processors[${i}]`, p));
  body.destination = stage('destination', state.destination);
  const batch = state.batchSize.trim();
  if (batch !== '') body.batchSize = /^\d+$/.test(batch) ? Number(batch) : batch;
  const s = state.schedule;
  const schedule: Record<string, unknown> = { type: s.type };
  if (s.type === 'interval') schedule.everyMs = /^\d+$/.test(s.everyMs.trim()) ? Number(s.everyMs.trim()) : s.everyMs;
  if (s.type === 'cron') {
    schedule.cron = s.cron.trim();
    if (s.timezone.trim()) schedule.timezone = s.timezone.trim();
  }
  if (s.type === 'event') schedule.event = s.event.trim();
  body.schedule = schedule;
  if (!state.enabled) body.enabled = false;
  return { body, problems };
}
