/**
 * Form fields from a component's config JSON Schema (as `GET
 * /api/pipeline/components` serves it), and the config object the typed values
 * make. Only the top-level properties become inputs; anything nested (an
 * object, an array of objects, a union) is a small JSON text area for that one
 * field. The form sends what the user typed and lets the API judge it: only
 * what the browser must parse itself (numbers, JSON) is checked here.
 */
export type JsonSchema = Record<string, unknown>;

export type SchemaFieldKind = 'text' | 'secret' | 'number' | 'checkbox' | 'select' | 'list' | 'json';

export interface SchemaField {
  /** The property name: the input's path is `<stage>.config.<name>`. */
  name: string;
  kind: SchemaFieldKind;
  required: boolean;
  description?: string;
  /** `select`: the schema's enum values, offered as their strings (with '' for "not set" when the field is optional). */
  options?: Array<string | number | boolean>;
  default?: unknown;
}

/** Input values by property name: strings, and booleans for checkboxes. */
export type StageValues = Record<string, string | boolean>;

export interface BuiltConfig {
  config: Record<string, unknown>;
  /** Values the browser could not turn into JSON, by property name. */
  problems: Record<string, string[]>;
}

/** Fields whose value is a credential: typed into a password input. */
const SECRET_NAME = /password|passwd|api[-_]?key|token|secret|connection[-_]?string|credential/i;

/** The fields of a config schema, in the schema's order; none when it declares no properties (edit as JSON). */
export function schemaFields(schema: JsonSchema | undefined): SchemaField[] {
  const properties = asRecord(schema?.properties);
  if (!properties) return [];
  const required = new Set(Array.isArray(schema?.required) ? schema.required.filter((r): r is string => typeof r === 'string') : []);
  return Object.entries(properties).map(([name, raw]) => {
    const property = asRecord(raw) ?? {};
    const field: SchemaField = { name, kind: kindOf(name, property), required: required.has(name) };
    if (typeof property.description === 'string') field.description = property.description;
    if (property.default !== undefined) field.default = property.default;
    if (field.kind === 'select') {
      field.options = property.enum as Array<string | number | boolean>;
    }
    return field;
  });
}

function kindOf(name: string, property: JsonSchema): SchemaFieldKind {
  if (Array.isArray(property.enum) && property.enum.length > 0 && property.enum.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) return 'select';
  switch (typeOf(property)) {
    case 'string':
      return SECRET_NAME.test(name) ? 'secret' : 'text';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'checkbox';
    case 'array': {
      const items = asRecord(property.items);
      return items && typeOf(items) === 'string' ? 'list' : 'json';
    }
    default:
      return 'json';
  }
}

/** The schema's `type`, ignoring `null` in a list of types. */
function typeOf(property: JsonSchema): string | undefined {
  const type = property.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.find((t): t is string => typeof t === 'string' && t !== 'null');
  return undefined;
}

/** Starting values: the schema's defaults, as the inputs show them. */
export function initialValues(fields: readonly SchemaField[]): StageValues {
  const values: StageValues = {};
  for (const field of fields) {
    if (field.kind === 'checkbox') values[field.name] = field.default === true;
    else if (field.default !== undefined) values[field.name] = toInput(field, field.default);
  }
  return values;
}

/** Input values for a config object (switching from "edit as JSON" back to the form). */
export function valuesFromConfig(fields: readonly SchemaField[], config: Record<string, unknown>): StageValues {
  const values: StageValues = {};
  for (const field of fields) {
    const value = config[field.name];
    if (field.kind === 'checkbox') values[field.name] = value === undefined ? field.default === true : value === true;
    else if (value !== undefined) values[field.name] = toInput(field, value);
  }
  return values;
}

/** Config properties the form has no input for: the form cannot show them, so JSON is the way to edit them. */
export function unknownProperties(fields: readonly SchemaField[], config: Record<string, unknown>): string[] {
  const known = new Set(fields.map((f) => f.name));
  return Object.keys(config).filter((k) => !known.has(k));
}

function toInput(field: SchemaField, value: unknown): string {
  if (field.kind === 'list' && Array.isArray(value)) return value.map(String).join(', ');
  if (field.kind === 'json') return JSON.stringify(value, null, 2);
  if (typeof value === 'string') return value;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * The config for the typed values. Empty inputs are left out (the API fills
 * its defaults); a checkbox is sent when it differs from the schema's default.
 */
export function buildConfig(fields: readonly SchemaField[], values: StageValues): BuiltConfig {
  const config: Record<string, unknown> = {};
  const problems: Record<string, string[]> = {};
  for (const field of fields) {
    const raw = values[field.name];
    if (field.kind === 'checkbox') {
      const checked = raw === true;
      if (checked !== (field.default === true)) config[field.name] = checked;
      continue;
    }
    const text = typeof raw === 'string' ? (field.kind === 'json' || field.kind === 'secret' ? raw : raw.trim()) : '';
    if (text.trim() === '') continue;
    switch (field.kind) {
      case 'number':
        // Sent as typed when it is not a number, so the API names the field.
        config[field.name] = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
        break;
      case 'list':
        config[field.name] = text.split(',').map((s) => s.trim()).filter(Boolean);
        break;
      case 'select':
        config[field.name] = enumValue(field, text);
        break;
      case 'json':
        try {
          config[field.name] = JSON.parse(text) as unknown;
        } catch {
          problems[field.name] = ['not valid JSON'];
        }
        break;
      default:
        config[field.name] = text;
    }
  }
  return { config, problems };
}

/** A select's value as the enum has it (the input holds its string). */
function enumValue(field: SchemaField, text: string): unknown {
  return field.options?.find((o) => String(o) === text) ?? text;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
