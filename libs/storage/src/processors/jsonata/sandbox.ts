import { AppError } from '@autoweave/contracts';
import jsonata from 'jsonata';
import { unsafeRegexReason } from './safe-regex.js';

/**
 * JSONata expressions from pipeline configs, run with limits. JSONata is
 * itself the sandbox: it has no access to JavaScript, the process, the file
 * system or the network, only to the input it is given (the item) and its
 * own function library; nothing is bound into it but the item. On top:
 *
 * - a time limit and a depth limit per evaluation (jsonata's `timeout` and
 *   `stack` guardrails, checked on every step, the same mechanism as the
 *   `timeboxExpression` helper of jsonata's test suite): an expression that
 *   loops or recurses forever fails the item instead of hanging the worker;
 * - a cap on sequence lengths (`sequence`), so `[1..9999999]` or doubling
 *   an array in a loop cannot eat the memory;
 * - `$pad` with a bounded width (the one built-in that makes a huge string
 *   in one step);
 * - regular expressions that could backtrack catastrophically (one
 *   synchronous call, beyond any time limit) are refused, at compile time for
 *   literals and when `$eval` builds one.
 */
export interface ExpressionLimits {
  timeoutMs: number;
  maxDepth: number;
  maxSequence: number;
}

export const DEFAULT_EXPRESSION_LIMITS: ExpressionLimits = { timeoutMs: 250, maxDepth: 500, maxSequence: 100_000 };

const MAX_PAD = 100_000;

/** jsonata builds a regex with `new RegexEngine(literal)`; this one refuses unsafe patterns. */
function SafeRegExp(this: unknown, pattern: RegExp | string, flags?: string): RegExp {
  const source = pattern instanceof RegExp ? pattern.source : pattern;
  const reason = unsafeRegexReason(source);
  if (reason) throw { code: 'AW001', message: `regular expression refused: ${reason}` };
  return pattern instanceof RegExp ? new RegExp(pattern.source, flags ?? pattern.flags) : new RegExp(pattern, flags);
}

export interface CompiledExpression {
  readonly source: string;
  evaluate(item: unknown): Promise<unknown>;
}

interface JsonataFailure {
  code?: string;
  message?: string;
  position?: number;
  token?: string;
}

/** Parses once; VALIDATION naming `field` when the expression does not parse or uses a refused regex. */
export function compileExpression(source: string, field: string, limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS): CompiledExpression {
  let expression: jsonata.Expression;
  try {
    expression = jsonata(source, {
      timeout: limits.timeoutMs,
      stack: limits.maxDepth,
      sequence: limits.maxSequence,
      RegexEngine: SafeRegExp as unknown as RegExpConstructor,
    });
  } catch (err) {
    const e = err as JsonataFailure;
    throw new AppError('VALIDATION', `${field} is not a valid JSONata expression: ${e.message ?? String(err)}${e.position !== undefined ? ` (at ${e.position})` : ''}`, {
      field,
      jsonataCode: e.code,
    });
  }
  const regex = findUnsafeRegex(expression.ast());
  if (regex) throw new AppError('VALIDATION', `${field}: ${regex}`, { field });
  expression.registerFunction(
    'pad',
    (str: string | undefined, width: number, char?: string) => {
      if (Math.abs(width) > MAX_PAD) throw { code: 'AW002', message: `$pad width is limited to ${MAX_PAD}` };
      return pad(str, width, char);
    },
    '<s-ns?:s>',
  );

  return {
    source,
    async evaluate(item: unknown): Promise<unknown> {
      try {
        return await expression.evaluate(item);
      } catch (err) {
        throw evaluationError(err, field, limits);
      }
    },
  };
}

function evaluationError(err: unknown, field: string, limits: ExpressionLimits): AppError {
  const e = err as JsonataFailure;
  const details = { field, jsonataCode: e.code };
  if (e.code === 'D1012') return new AppError('TIMEOUT', `${field} ran longer than ${limits.timeoutMs} ms and was stopped (an endless loop?)`, details);
  if (e.code === 'D1011') return new AppError('VALIDATION', `${field} recursed deeper than ${limits.maxDepth} steps and was stopped`, details);
  if (e.code === 'D2015') return new AppError('VALIDATION', `${field} built a sequence longer than ${limits.maxSequence} items and was stopped`, details);
  const message = e.message ?? (err instanceof Error ? err.message : String(err));
  return new AppError('VALIDATION', `${field} failed on this item: ${message}`, details);
}

function findUnsafeRegex(node: unknown, seen = new Set<object>()): string | undefined {
  if (node instanceof RegExp) return unsafeRegexReason(node.source);
  if (node === null || typeof node !== 'object' || seen.has(node)) return undefined;
  seen.add(node);
  for (const value of Object.values(node)) {
    const reason = findUnsafeRegex(value, seen);
    if (reason) return reason;
  }
  return undefined;
}

/** jsonata's own $pad, by code point. */
function pad(str: string | undefined, width: number, char?: string): string | undefined {
  if (str === undefined) return undefined;
  const filler = char === undefined || char.length === 0 ? ' ' : char;
  const w = Math.trunc(width);
  const padLength = Math.abs(w) - Array.from(str).length;
  if (padLength <= 0) return str;
  const padding = Array.from(filler.repeat(Math.ceil(padLength / Array.from(filler).length))).slice(0, padLength).join('');
  return w > 0 ? str + padding : padding + str;
}

/** JSONata's truthiness (`$boolean`), for filter results. */
export function jsonataBoolean(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length === 1 ? jsonataBoolean(value[0]) : value.some((v) => jsonataBoolean(v));
  if (typeof value === 'string') return value.length > 0;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'function') return false;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return false;
}
