/**
 * The register form's state and the request it makes. The form sends what the
 * user typed and lets the API judge it: its VALIDATION errors name fields
 * (`config.url`) and are shown next to the inputs of those paths. Only what
 * the browser must parse itself (JSON text areas) is checked here.
 */
export const INTEGRATION_TYPES = ['openapi', 'webhook', 'plugin', 'database'] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];

export interface FieldSpec {
  /** Path in the request body, as the API's errors name it. */
  path: string;
  label: string;
  kind: 'text' | 'secret' | 'url' | 'json' | 'list' | 'select' | 'checkbox' | 'number';
  options?: readonly string[];
  hint?: string;
  placeholder?: string;
}

export const COMMON_FIELDS: FieldSpec[] = [
  { path: 'name', label: 'Name', kind: 'text', placeholder: 'crm' },
  { path: 'description', label: 'Description', kind: 'text' },
  { path: 'tags', label: 'Tags', kind: 'list', hint: 'comma-separated' },
];

export const TYPE_FIELDS: Record<IntegrationType, FieldSpec[]> = {
  openapi: [
    { path: 'config.openAPIUrl', label: 'OpenAPI URL', kind: 'url', placeholder: 'https://api.example.com/openapi.json', hint: 'or paste the document below' },
    { path: 'config.openAPISpec', label: 'OpenAPI document (JSON)', kind: 'json' },
    { path: 'config.baseUrl', label: 'Base URL override', kind: 'url' },
    { path: 'config.auth', label: 'Auth (JSON)', kind: 'json', placeholder: '{"type": "bearer", "token": "..."}' },
    { path: 'config.timeoutMs', label: 'Timeout (ms)', kind: 'number' },
  ],
  webhook: [
    { path: 'config.url', label: 'Receiver URL', kind: 'url', placeholder: 'https://hooks.example.com/autoweave' },
    { path: 'config.events', label: 'Events', kind: 'list', placeholder: 'order.*, user.created', hint: 'topic patterns, comma-separated' },
    { path: 'config.secret', label: 'Signing secret', kind: 'secret', hint: 'whsec_...; generated (and shown once) when empty' },
    { path: 'config.headers', label: 'Extra headers (JSON)', kind: 'json' },
  ],
  plugin: [
    { path: 'config.source', label: 'Source', kind: 'select', options: ['npm', 'url', 'local'] },
    { path: 'config.name', label: 'Package name', kind: 'text' },
    { path: 'config.version', label: 'Version', kind: 'text', placeholder: '1.2.3' },
    { path: 'config.url', label: 'Tarball URL', kind: 'url' },
    { path: 'config.integrity', label: 'Integrity', kind: 'text', placeholder: 'sha512-...' },
    { path: 'config.path', label: 'Local path', kind: 'text' },
    { path: 'config.pluginConfig', label: 'Plugin config (JSON)', kind: 'json' },
    { path: 'config.subscriptions', label: 'Subscriptions', kind: 'list', hint: 'topic patterns, comma-separated' },
  ],
  database: [
    { path: 'config.dbType', label: 'Database', kind: 'select', options: ['postgres'] },
    { path: 'config.connectionString', label: 'Connection string', kind: 'secret', placeholder: 'postgres://user:password@host/db' },
    { path: 'config.tables', label: 'Tables', kind: 'list', placeholder: 'public.users' },
    { path: 'config.syncEnabled', label: 'Sync enabled', kind: 'checkbox' },
    { path: 'config.syncDestination', label: 'Sync destination', kind: 'select', options: ['', 'postgres', 'qdrant', 'neo4j', 'vector', 'nats'] },
    { path: 'config.syncSchedule', label: 'Sync schedule', kind: 'text', placeholder: '*/15 * * * *' },
  ],
};

/** Input values by path: strings, and booleans for checkboxes. */
export type FormValues = Record<string, string | boolean>;

export interface BuiltRequest {
  body: Record<string, unknown>;
  /** Problems found in the browser (JSON that does not parse), by path. */
  problems: Record<string, string[]>;
}

export function fieldsOf(type: IntegrationType): FieldSpec[] {
  return [...COMMON_FIELDS, ...TYPE_FIELDS[type]];
}

/** The `POST /api/integration/register` body for the typed values; empty inputs are left out. */
export function buildRegisterRequest(type: IntegrationType, values: FormValues): BuiltRequest {
  const body: Record<string, unknown> = { type, config: {} };
  const problems: Record<string, string[]> = {};
  for (const field of fieldsOf(type)) {
    const raw = values[field.path];
    let value: unknown;
    if (field.kind === 'checkbox') {
      if (raw !== true) continue;
      value = true;
    } else {
      const text = typeof raw === 'string' ? raw.trim() : '';
      if (text === '') continue;
      if (field.kind === 'list') value = text.split(',').map((s) => s.trim()).filter(Boolean);
      else if (field.kind === 'number') value = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
      else if (field.kind === 'json') {
        try {
          value = JSON.parse(text);
        } catch {
          problems[field.path] = ['not valid JSON'];
          continue;
        }
      } else value = text;
    }
    setPath(body, field.path, value);
  }
  return { body, problems };
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[parts.at(-1)!] = value;
}
