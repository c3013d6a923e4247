import 'reflect-metadata';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { AppError } from './errors.js';

export interface FieldProblem {
  field: string;
  problems: string[];
}

/**
 * Validates a plain payload against a class-validator DTO. Unknown fields are
 * refused (not silently dropped) so a typo is reported instead of ignored.
 * Throws a VALIDATION AppError naming every bad field.
 */
export async function validateDto<T extends object>(
  dto: ClassConstructor<T>,
  payload: unknown,
  prefix = '',
): Promise<T> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new AppError('VALIDATION', `${prefix || 'payload'} must be a JSON object`);
  }
  const instance = plainToInstance(dto, payload, { enableImplicitConversion: false });
  const found = await validate(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  if (found.length > 0) {
    const problems = flatten(found, prefix);
    throw new AppError('VALIDATION', describe(problems), { fields: problems });
  }
  return instance;
}

function flatten(list: ValidationError[], prefix: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const error of list) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) out.push({ field, problems: Object.values(error.constraints).map((m) => rename(m, error.property, field)) });
    if (error.children?.length) out.push(...flatten(error.children, field));
  }
  return out;
}

/** class-validator messages name the bare property; name the full path instead. */
function rename(message: string, property: string, field: string): string {
  if (message.startsWith(`property ${property} `)) return `property ${field} ${message.slice(property.length + 10)}`;
  return message.startsWith(property) ? field + message.slice(property.length) : message;
}

export function describe(problems: FieldProblem[]): string {
  return `invalid fields: ${problems.map((p) => `${p.field} (${p.problems.join('; ')})`).join(', ')}`;
}
