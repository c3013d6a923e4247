import { describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import { createLogger } from '@autoweave/observability';
import { tmpdir } from 'node:os';
import { StorageAdapterFactory } from './registry.js';
import type {
  CursorOptions,
  HealthResult,
  Item,
  ProcessorContext,
  SourceBatch,
  SourceCursor,
  StorageAdapter,
  StorageContext,
  WriteResult,
} from './types.js';

// The example of docs/STORAGE.md ("Extending"), kept here so that it keeps working.

interface MemoryConfig {
  name: string;
  key: string;
}

/** Tables that live in this process only. */
const tables = new Map<string, Map<string, Item>>();

/** A source and destination over an in-process table: the smallest complete adapter. */
export class MemoryAdapter implements StorageAdapter<MemoryConfig> {
  constructor(private readonly context: StorageContext) {}

  async createCursor(config: MemoryConfig, options: CursorOptions): Promise<SourceCursor> {
    const rows = [...(tables.get(config.name)?.values() ?? [])];
    // The position is whatever JSON this adapter handed out last: here, how many rows were read.
    let offset = typeof options.position?.offset === 'number' ? options.position.offset : 0;
    return {
      async *[Symbol.asyncIterator](): AsyncIterator<SourceBatch> {
        while (offset < rows.length) {
          options.signal?.throwIfAborted();
          const items = rows.slice(offset, offset + options.batchSize);
          offset += items.length;
          yield { items, position: { offset } };
        }
      },
      async close() {},
    };
  }

  async writeBatch(batch: Item[], config: MemoryConfig): Promise<WriteResult> {
    const table = tables.get(config.name) ?? new Map<string, Item>();
    tables.set(config.name, table);
    for (const [index, item] of batch.entries()) {
      const key = item[config.key];
      if (key === undefined || key === null) throw new AppError('VALIDATION', `item ${index} has no ${config.key}`, { field: config.key, index });
      table.set(String(key), item); // an upsert by key: the same batch twice leaves the same rows
    }
    this.context.logger.debug({ table: config.name, written: batch.length }, 'memory table written');
    return { written: batch.length };
  }

  async healthCheck(): Promise<HealthResult> {
    return { ok: true, latencyMs: 0 };
  }

  async close(): Promise<void> {}
}

describe('storage - extending the registry in code (docs/STORAGE.md)', () => {
  const storageAdapterFactory = new StorageAdapterFactory();
  storageAdapterFactory.registerAdapter('memory', {
    description: 'an in-process table (tests, demos)',
    roles: ['source', 'destination'],
    configSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { type: 'string', pattern: '^[a-z][a-z0-9_-]*$' },
        key: { type: 'string', default: 'id' },
      },
    },
    adapter: MemoryAdapter,
  });
  storageAdapterFactory.registerAdapter('custom', MemoryAdapter);
  storageAdapterFactory.registerProcessor('custom', async (item, context) => ({ ...item, pipeline: context.pipelineId }));

  const context: StorageContext = { logger: createLogger({ service: 'storage-test', level: 'silent' }), dataDir: tmpdir() };

  it('validates, writes idempotently, reads in batches and resumes', async () => {
    const config = storageAdapterFactory.validateAdapterConfig('memory', 'destination', { name: 'people' }, 'destination') as unknown as MemoryConfig;
    expect(config).toEqual({ name: 'people', key: 'id' });
    const adapter = storageAdapterFactory.createAdapter('memory', context) as unknown as MemoryAdapter;
    const batch = [{ id: 1, name: 'Ann' }, { id: 2, name: 'Bo' }, { id: 3, name: 'Cy' }];
    await adapter.writeBatch(batch, config);
    await adapter.writeBatch(batch, config);
    const positions: unknown[] = [];
    const cursor = await adapter.createCursor(config, { batchSize: 2 });
    const items: Item[] = [];
    for await (const b of cursor) {
      items.push(...b.items);
      positions.push(b.position);
    }
    expect(items).toEqual(batch);
    const resumed: Item[] = [];
    for await (const b of await adapter.createCursor(config, { batchSize: 2, position: positions[0] as { offset: number } })) resumed.push(...b.items);
    expect(resumed).toEqual(batch.slice(2));
    await expect(adapter.writeBatch([{ name: 'no id' }], config)).rejects.toBeInstanceOf(AppError);
  });

  it('refuses a bad config and unknown types, naming the field', () => {
    expect(() => storageAdapterFactory.validateAdapterConfig('memory', 'source', { name: 'Bad Name' }, 'source')).toThrow(/source\.config\.name/);
    expect(() => storageAdapterFactory.validateAdapterConfig('eval', 'source', {}, 'source')).toThrow(/not a known adapter/);
  });

  it('runs a custom processor', async () => {
    const processor = await storageAdapterFactory.createProcessor('custom', {}, context);
    const processorContext: ProcessorContext = { ...context, pipelineId: 'p1', config: {} };
    expect(await processor({ id: 1 }, processorContext)).toEqual({ id: 1, pipeline: 'p1' });
  });
});
