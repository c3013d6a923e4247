import { AppError } from '@autoweave/contracts';
import { createLogger } from '@autoweave/observability';
import type { OutboundPolicy } from '@autoweave/resilience';
import { tmpdir } from 'node:os';
import { registerBuiltins } from '../builtins.js';
import { StorageAdapterFactory } from '../registry.js';
import type { Item, ProcessorContext, ProcessorFn, ProcessorResult, StorageContext } from '../types.js';

/** Components as the worker uses them: a registry with the built-ins, a silent logger. */
export const factory = registerBuiltins(new StorageAdapterFactory());

export function testContext(overrides: Partial<StorageContext> = {}): StorageContext {
  return { logger: createLogger({ service: 'storage-test', level: 'silent' }), dataDir: tmpdir(), ...overrides };
}

export const LOOPBACK_ALLOWED: OutboundPolicy = { allow: new Set(['loopback']) };

/** Validates like the worker (VALIDATION naming the field) and builds the per-item function. */
export async function processor(type: string, config: unknown, context = testContext()): Promise<(item: Item) => Promise<ProcessorResult>> {
  const checked = factory.validateProcessorConfig(type, config, 'processors[0]');
  const fn: ProcessorFn = await factory.createProcessor(type, checked, context);
  const processorContext: ProcessorContext = { ...context, pipelineId: 'p-test', config: checked };
  return async (item) => fn(item, processorContext);
}

/** The VALIDATION error `action` throws, checked to name `field`. */
export function validationError(action: () => unknown): AppError {
  try {
    action();
  } catch (err) {
    if (err instanceof AppError && err.code === 'VALIDATION') return err;
    throw err;
  }
  throw new Error('expected a VALIDATION error');
}

export function fieldOf(err: AppError): string | undefined {
  return (err.details as { field?: string } | undefined)?.field;
}

/** Deep-frozen copy: a processor that changes its input in place throws. */
export function frozen<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) frozen(v);
    Object.freeze(value);
  }
  return value;
}
