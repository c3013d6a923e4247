import { describe, expect, it } from '@jest/globals';
import type { PipelineComponents } from '@autoweave/contracts';
import { buildPipelineRequest, initialBuilderState, newStage, stageInputPaths, toFormMode, toJsonMode, typesFor } from './builder.js';
import { buildConfig, initialValues, schemaFields } from './schema-form.js';

/** A catalogue shaped like the worker's answer (an excerpt of the built-in schemas). */
const COMPONENTS: PipelineComponents = {
  adapters: [
    {
      type: 'postgres',
      description: 'PostgreSQL table',
      roles: ['source', 'destination'],
      configSchema: {
        type: 'object',
        required: ['connectionString', 'keyColumns'],
        properties: {
          connectionString: { type: 'string', description: 'postgres://...' },
          schema: { type: 'string', default: 'public' },
          table: { type: 'string' },
          keyColumns: { type: 'array', items: { type: 'string' } },
          mode: { enum: ['incremental', 'full'] },
          columns: { type: 'array', items: { if: { type: 'string' } } },
          createTable: { type: 'boolean', default: false },
          poolSize: { type: 'integer', default: 5 },
        },
      },
    },
    { type: 'vector', description: 'embedded vectors', roles: ['destination'], configSchema: { type: 'object', required: ['collection'], properties: { collection: { type: 'string' } } } },
    { type: 'custom', description: 'custom adapter custom', roles: ['source', 'destination'], configSchema: { type: 'object' } },
  ],
  processors: [{ type: 'map', description: 'Select fields', configSchema: { type: 'object', properties: { fields: { type: 'object' }, select: { type: 'array', items: { type: 'string' } } } } }],
};

describe('dashboard - config forms from JSON Schema', () => {
  it('picks an input per property: password for secrets, number, checkbox, select, list, JSON for the rest', () => {
    const fields = schemaFields({
      type: 'object',
      required: ['url', 'apiKey'],
      properties: {
        url: { type: 'string' },
        apiKey: { type: 'string' },
        password: { type: 'string' },
        connectionString: { type: 'string' },
        size: { type: 'integer', default: 10 },
        ratio: { type: ['number', 'null'] },
        enabled: { type: 'boolean', default: true },
        mode: { type: 'string', enum: ['a', 'b'] },
        tags: { type: 'array', items: { type: 'string' } },
        nodes: { type: 'object' },
        columns: { type: 'array', items: { type: 'object' } },
      },
    });
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['url', 'text', true],
      ['apiKey', 'secret', true],
      ['password', 'secret', false],
      ['connectionString', 'secret', false],
      ['size', 'number', false],
      ['ratio', 'number', false],
      ['enabled', 'checkbox', false],
      ['mode', 'select', false],
      ['tags', 'list', false],
      ['nodes', 'json', false],
      ['columns', 'json', false],
    ]);
    expect(initialValues(fields)).toEqual({ size: '10', enabled: true });
  });

  it('builds the config from the inputs: empty ones left out, numbers, lists, enums, checkboxes against their default, JSON parsed', () => {
    const fields = schemaFields(COMPONENTS.adapters[0]!.configSchema);
    const { config, problems } = buildConfig(fields, {
      connectionString: 'postgres://u:p@h/db',
      schema: ' public ',
      table: '',
      keyColumns: 'id, tenant ,',
      mode: 'full',
      columns: '[{"name": "id", "type": "bigint"}]',
      createTable: true,
      poolSize: '7',
    });
    expect(problems).toEqual({});
    expect(config).toEqual({ connectionString: 'postgres://u:p@h/db', schema: 'public', keyColumns: ['id', 'tenant'], mode: 'full', columns: [{ name: 'id', type: 'bigint' }], createTable: true, poolSize: 7 });
    expect(buildConfig(fields, { columns: '[oops', poolSize: 'many', createTable: false })).toEqual({ config: { poolSize: 'many' }, problems: { columns: ['not valid JSON'] } });
  });
});

describe('dashboard - pipeline builder', () => {
  it('offers the types of each role from the catalogue, and the built-ins without it', () => {
    expect(typesFor('source', COMPONENTS).map((t) => t.type)).toEqual(['postgres', 'custom']);
    expect(typesFor('destination', COMPONENTS).map((t) => t.type)).toEqual(['postgres', 'vector', 'custom']);
    expect(typesFor('processor', COMPONENTS)).toEqual([{ type: 'map', description: 'Select fields' }]);
    expect(typesFor('source', undefined).map((t) => t.type)).toEqual(['postgres', 'integration', 'nats']);
  });

  it('produces the body POST /api/pipeline/register takes, from the form fields with defaults filled in', () => {
    const state = initialBuilderState(COMPONENTS);
    state.name = 'copy';
    state.source.values = { ...state.source.values, connectionString: 'postgres://x/db', table: 't', keyColumns: 'id' };
    state.processors = [newStage('processor', 'map', COMPONENTS)];
    state.processors[0]!.values.select = 'id, title';
    state.destination = newStage('destination', 'vector', COMPONENTS);
    state.destination.values.collection = 'c';
    state.batchSize = '100';
    state.schedule = { ...state.schedule, type: 'interval', everyMs: '5000' };
    expect(buildPipelineRequest(state, COMPONENTS)).toEqual({
      problems: {},
      body: {
        name: 'copy',
        source: { type: 'postgres', config: { connectionString: 'postgres://x/db', schema: 'public', table: 't', keyColumns: ['id'], poolSize: 5 } },
        processors: [{ type: 'map', config: { select: ['id', 'title'] } }],
        destination: { type: 'vector', config: { collection: 'c' } },
        batchSize: 100,
        schedule: { type: 'interval', everyMs: 5000 },
      },
    });
  });

  it('names the field whose value is not JSON, and the stage whose JSON config does not parse', () => {
    const state = initialBuilderState(COMPONENTS);
    state.destination.values.columns = '[';
    state.processors = [{ type: 'map', values: {}, json: '{' }];
    expect(buildPipelineRequest(state, COMPONENTS).problems).toEqual({ 'destination.config.columns': ['not valid JSON'], 'processors[0].config': ['not valid JSON'] });
  });

  it('edits a config as JSON and back, refusing what the form cannot show', () => {
    const stage = newStage('source', 'postgres', COMPONENTS);
    stage.values.table = 'orders';
    const json = toJsonMode('source', stage, COMPONENTS);
    expect(JSON.parse(json.json!)).toEqual({ schema: 'public', table: 'orders', poolSize: 5 });
    expect(toFormMode('source', { ...json, json: '{"table": "t", "createTable": true}' }, COMPONENTS)).toEqual({ stage: { type: 'postgres', values: { table: 't', createTable: true } } });
    expect(toFormMode('source', { ...json, json: '{"nope": 1}' }, COMPONENTS)).toEqual({ problem: 'the form has no input for nope' });
    expect(toFormMode('source', { ...json, json: '{' }, COMPONENTS)).toEqual({ problem: 'not valid JSON' });
    // A component without declared properties, or no catalogue at all: JSON only.
    expect(newStage('source', 'custom', COMPONENTS)).toEqual({ type: 'custom', values: {}, json: '{}' });
    expect(initialBuilderState(undefined).source).toEqual({ type: 'postgres', values: {}, json: '{}' });
  });

  it('lists the input paths the API errors are matched against, in both spellings for processors', () => {
    const fields = schemaFields(COMPONENTS.processors[0]!.configSchema);
    expect(stageInputPaths('processors[1]', fields)).toEqual([
      'processors[1]',
      'processors[1].config',
      'processors[1].config.fields',
      'processors[1].config.select',
      'processors.1',
      'processors.1.config',
      'processors.1.config.fields',
      'processors.1.config.select',
    ]);
  });
});
