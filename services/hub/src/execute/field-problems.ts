import type { ErrorObject } from 'ajv';
import { AppError } from '@autoweave/contracts';

/** One invalid input and what is wrong with it. `field` is `petId`, `body.name`, `body.tags[0]`. */
export interface FieldProblem {
  field: string;
  problems: string[];
}

/** How many fields the message names; details carry them all (up to MAX_FIELDS). */
const MESSAGE_FIELDS = 10;
const MAX_FIELDS = 100;
const MAX_ENUM_SHOWN = 10;

/** Collects problems per field, keeping first-seen order and dropping duplicates. */
export class ProblemList {
  private readonly byField = new Map<string, string[]>();

  add(field: string, problem: string): void {
    const list = this.byField.get(field);
    if (list === undefined) this.byField.set(field, [problem]);
    else if (!list.includes(problem)) list.push(problem);
  }

  addAjvErrors(field: string, errors: readonly ErrorObject[] | null | undefined): void {
    for (const error of errors ?? []) {
      const { path, problem } = describeAjvError(error);
      this.add(field + path, problem);
    }
  }

  get empty(): boolean {
    return this.byField.size === 0;
  }

  toArray(): FieldProblem[] {
    return [...this.byField].slice(0, MAX_FIELDS).map(([field, problems]) => ({ field, problems }));
  }

  /** `AppError('VALIDATION', 'invalid parameters: petId (must be integer), body.name (is required)', {fields})`. */
  toError(): AppError {
    const fields = this.toArray();
    const named = fields.slice(0, MESSAGE_FIELDS).map((f) => `${f.field} (${f.problems.join('; ')})`);
    const more = this.byField.size - MESSAGE_FIELDS;
    const message = `invalid parameters: ${named.join(', ')}${more > 0 ? `, and ${more} more` : ''}`;
    return new AppError('VALIDATION', message, { fields });
  }
}

/**
 * Turns one ajv error into a field suffix and a short problem. ajv's messages never
 * quote the data, so no value (a secret, say) reaches the message.
 */
export function describeAjvError(error: ErrorObject): { path: string; problem: string } {
  const path = instancePathToField(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: path + propertySuffix(String(params.missingProperty)), problem: 'is required' };
    case 'dependentRequired':
      return { path: path + propertySuffix(String(params.missingProperty)), problem: `is required with ${String(params.property)}` };
    case 'additionalProperties':
      return { path: path + propertySuffix(String(params.additionalProperty)), problem: 'is not allowed' };
    case 'unevaluatedProperties':
      return { path: path + propertySuffix(String(params.unevaluatedProperty)), problem: 'is not allowed' };
    case 'enum':
      return { path, problem: enumProblem(params.allowedValues) };
    default:
      return { path, problem: error.message ?? `fails ${error.keyword}` };
  }
}

function enumProblem(allowed: unknown): string {
  if (!Array.isArray(allowed)) return 'must be one of the allowed values';
  const shown = allowed.slice(0, MAX_ENUM_SHOWN).map((v) => JSON.stringify(v));
  return `must be one of: ${shown.join(', ')}${allowed.length > MAX_ENUM_SHOWN ? ', ...' : ''}`;
}

/** `/items/0/name` -> `.items[0].name` (JSON pointer unescaped). */
export function instancePathToField(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .split('/')
    .slice(1)
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((token) => (/^\d+$/.test(token) ? `[${token}]` : propertySuffix(token)))
    .join('');
}

function propertySuffix(name: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}
