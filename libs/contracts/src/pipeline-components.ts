/**
 * `pipeline.admin.components`: the pipeline components the worker knows, each
 * with the JSON Schema its `config` is validated against, so a client (the
 * dashboard's builder) can render a form per stage. Schemas describe fields;
 * they hold no values, so nothing secret is in them.
 */
export type ComponentConfigSchema = Record<string, unknown>;

export interface AdapterComponentView {
  type: string;
  description: string;
  roles: Array<'source' | 'destination'>;
  configSchema: ComponentConfigSchema;
}

export interface ProcessorComponentView {
  type: string;
  description: string;
  configSchema: ComponentConfigSchema;
}

export interface PipelineComponents {
  adapters: AdapterComponentView[];
  processors: ProcessorComponentView[];
}
