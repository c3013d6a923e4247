/**
 * The pipeline builder's state and the JSON it makes: exactly the body of
 * `POST /api/pipeline/register` (source -> processors -> destination, batch
 * size, schedule). Each stage's config is a form generated from its
 * component's JSON Schema (`GET /api/pipeline/components`), or JSON typed in
 * place ("edit as JSON", and the only way when the catalogue is unavailable
 * or a component declares no properties). The worker validates configs
 * against the same schemas and names the field (`processors[0].config.select`).
 */
import type { PipelineComponents } from '@autoweave/contracts';
import { buildConfig, initialValues, schemaFields, unknownProperties, valuesFromConfig, type JsonSchema, type SchemaField, type StageValues } from './schema-form.js';

export type StageRole = 'source' | 'destination' | 'processor';

/** The built-in types, offered when the catalogue cannot be loaded (configs are then typed as JSON). */
export const FALLBACK_TYPES: Record<StageRole, readonly string[]> = {
  source: ['postgres', 'integration', 'nats'],
  destination: ['postgres', 'vector', 'qdrant', 'neo4j', 'nats'],
  processor: ['map', 'convert', 'filter', 'transform', 'dedupe', 'chunk', 'embed', 'plugin'],
};
export const SCHEDULE_TYPES = ['manual', 'interval', 'cron', 'event'] as const;

export interface ComponentOption {
  type: string;
  description?: string;
}

/** The types a stage of `role` can have. */
export function typesFor(role: StageRole, components: PipelineComponents | undefined): ComponentOption[] {
  if (!components) return FALLBACK_TYPES[role].map((type) => ({ type }));
  if (role === 'processor') return components.processors.map(({ type, description }) => ({ type, description }));
  return components.adapters.filter((a) => a.roles.includes(role)).map(({ type, description }) => ({ type, description }));
}

export function schemaOf(role: StageRole, type: string, components: PipelineComponents | undefined): JsonSchema | undefined {
  const entry = role === 'processor' ? components?.processors.find((p) => p.type === type) : components?.adapters.find((a) => a.type === type);
  return entry?.configSchema;
}

export function stageFields(role: StageRole, type: string, components: PipelineComponents | undefined): SchemaField[] {
  return schemaFields(schemaOf(role, type, components));
}

export interface StageState {
  type: string;
  /** Form inputs by property name. */
  values: StageValues;
  /** Set while the config is edited as JSON text instead of the form. */
  json?: string;
}

/** A stage of `type` with its schema's defaults filled in; JSON when there is no form for it. */
export function newStage(role: StageRole, type: string, components: PipelineComponents | undefined): StageState {
  const fields = stageFields(role, type, components);
  return fields.length > 0 ? { type, values: initialValues(fields) } : { type, values: {}, json: '{}' };
}

/** The stage's config as JSON text, for "edit as JSON". */
export function toJsonMode(role: StageRole, stage: StageState, components: PipelineComponents | undefined): StageState {
  if (stage.json !== undefined) return stage;
  const { config } = buildConfig(stageFields(role, stage.type, components), stage.values);
  return { ...stage, json: JSON.stringify(config, null, 2) };
}

/** Back to the form from JSON; refused (with the reason) when the JSON has something the form cannot show. */
export function toFormMode(role: StageRole, stage: StageState, components: PipelineComponents | undefined): { stage: StageState } | { problem: string } {
  const fields = stageFields(role, stage.type, components);
  if (fields.length === 0) return { problem: `there is no form for ${stage.type}: its config is edited as JSON` };
  let config: unknown;
  try {
    config = stage.json === undefined || stage.json.trim() === '' ? {} : JSON.parse(stage.json);
  } catch {
    return { problem: 'not valid JSON' };
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return { problem: 'the config must be a JSON object' };
  const unknown = unknownProperties(fields, config as Record<string, unknown>);
  if (unknown.length > 0) return { problem: `the form has no input for ${unknown.join(', ')}` };
  return { stage: { type: stage.type, values: valuesFromConfig(fields, config as Record<string, unknown>) } };
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

export function initialBuilderState(components?: PipelineComponents): BuilderState {
  return {
    name: '',
    description: '',
    source: newStage('source', 'postgres', components),
    processors: [],
    destination: newStage('destination', 'postgres', components),
    batchSize: '1000',
    schedule: { type: 'manual', everyMs: '60000', cron: '0 * * * *', timezone: 'UTC', event: 'order.*' },
    enabled: true,
  };
}

export interface BuiltPipeline {
  body: Record<string, unknown>;
  /** What the browser could not turn into JSON, by path (`source.config`, `destination.config.columns`). */
  problems: Record<string, string[]>;
}

export function buildPipelineRequest(state: BuilderState, components?: PipelineComponents): BuiltPipeline {
  const problems: Record<string, string[]> = {};
  const stage = (path: string, role: StageRole, s: StageState) => {
    if (s.json !== undefined) {
      try {
        const config = s.json.trim() === '' ? {} : (JSON.parse(s.json) as unknown);
        return { type: s.type, config };
      } catch {
        problems[`${path}.config`] = ['not valid JSON'];
        return { type: s.type, config: {} };
      }
    }
    const built = buildConfig(stageFields(role, s.type, components), s.values);
    for (const [name, list] of Object.entries(built.problems)) problems[`${path}.config.${name}`] = list;
    return { type: s.type, config: built.config };
  };
  const body: Record<string, unknown> = { name: state.name.trim() };
  if (state.description.trim()) body.description = state.description.trim();
  body.source = stage('source', 'source', state.source);
  if (state.processors.length > 0) body.processors = state.processors.map((p, i) => stage(`processors[${i}]`, 'processor', p));
  body.destination = stage('destination', 'destination', state.destination);
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

/**
 * The input paths of a stage at `path`, for matching the API's field errors:
 * the type, the config, each field; processors also under the DTO's
 * `processors.0` spelling.
 */
export function stageInputPaths(path: string, fields: readonly SchemaField[]): string[] {
  const own = [path, `${path}.config`, ...fields.map((f) => `${path}.config.${f.name}`)];
  const dotted = /^processors\[(\d+)\]$/.exec(path);
  return dotted ? [...own, ...own.map((p) => p.replace(path, `processors.${dotted[1]}`))] : own;
}
