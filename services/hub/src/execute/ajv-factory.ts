import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import type { JsonSchema } from '@autoweave/openapi';
import { toJsonSchema2020 } from './schema-normalize.js';

// ajv and ajv-formats are CommonJS with `exports.default`: reach the class through it.
const Ajv = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

const INT32 = 2 ** 31;

/**
 * An ajv for JSON Schema 2020-12 (OpenAPI 3.1; 3.0 schemas are translated first, see
 * toJsonSchema2020) with the standard formats and OpenAPI's own (int32, int64, float,
 * double, byte, binary, password). Lenient about the schemas themselves: unknown
 * keywords and formats are ignored, patterns compile without the `u` flag.
 */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv({ strict: false, coerceTypes: false, allErrors: true, useDefaults: false, logger: false, unicodeRegExp: false });
  addFormats(ajv);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -INT32 && n < INT32 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  ajv.addFormat('binary', true);
  ajv.addFormat('password', true);
  return ajv;
}

/**
 * Compiles an OpenAPI schema. A schema ajv cannot compile (a broken spec) validates
 * nothing rather than making the operation uncallable: the upstream still checks.
 * The compiled schema is removed from ajv's own cache so that replaced specs are freed.
 */
export function compileSchema(ajv: Ajv2020, schema: JsonSchema | undefined): ValidateFunction {
  const normalized = toJsonSchema2020(schema);
  try {
    const validate = ajv.compile(normalized);
    ajv.removeSchema(normalized);
    return validate;
  } catch {
    return ajv.compile(true);
  }
}
