import { AppError } from '@autoweave/contracts';
import type { ErrorObject, ValidateFunction } from 'ajv';

/**
 * Runs a compiled config schema on a copy of `config` (ajv fills defaults in
 * it) and returns the copy; otherwise throws VALIDATION naming the first
 * field as `<where>.<path>` and listing every problem.
 */
export function checkConfig(validate: ValidateFunction, config: unknown, where: string): Record<string, unknown> {
  const copy = structuredClone(config ?? {}) as Record<string, unknown>;
  if (!validate(copy)) {
    const errors = validate.errors ?? [];
    const problems = errors.map((e) => describe(e, where));
    throw new AppError('VALIDATION', problems.join('; '), { field: fieldOf(errors[0], where), problems });
  }
  return copy;
}

function fieldOf(error: ErrorObject | undefined, where: string): string {
  if (!error) return where;
  const path = error.instancePath.split('/').filter(Boolean).join('.');
  const missing = error.keyword === 'required' ? (error.params as { missingProperty: string }).missingProperty : undefined;
  const extra = error.keyword === 'additionalProperties' ? (error.params as { additionalProperty: string }).additionalProperty : undefined;
  return [where, path, missing ?? extra].filter(Boolean).join('.');
}

function describe(error: ErrorObject, where: string): string {
  if (error.keyword === 'additionalProperties') return `${fieldOf(error, where)} is not allowed`;
  return `${fieldOf(error, where)} ${error.message ?? 'is invalid'}`;
}
