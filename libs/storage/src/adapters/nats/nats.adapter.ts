import { AppError } from '@autoweave/contracts';
import type { NatsConnection } from '@nats-io/transport-node';
import type { AdapterDefinition, CursorOptions, HealthResult, Item, SourceCursor, StorageAdapter, StorageContext, WriteResult } from '../../types.js';
import { checkNatsConfig, natsConfigSchema, type NatsConfig } from './nats.config.js';
import { StreamPublisher } from './stream-publisher.js';
import { StreamReader, streamFor } from './stream-reader.js';

/**
 * A JetStream stream as a source (by subject filter, resumable by stream
 * sequence) and a subject as a destination (JetStream publish, deduplicated
 * by message id). Uses the process's NATS connection (StorageContext.bus).
 */
export class NatsAdapter implements StorageAdapter<NatsConfig> {
  private readonly cursors = new Set<SourceCursor>();
  private readonly publishers = new Map<string, StreamPublisher>();

  constructor(private readonly context: StorageContext) {}

  async createCursor(config: NatsConfig, options: CursorOptions): Promise<SourceCursor> {
    checkNatsConfig(config, 'source', 'config');
    const reader = new StreamReader(this.nc(), config, options, this.context.logger);
    this.cursors.add(reader);
    return reader;
  }

  async writeBatch(batch: Item[], config: NatsConfig): Promise<WriteResult> {
    const key = JSON.stringify(config);
    let publisher = this.publishers.get(key);
    if (!publisher) {
      checkNatsConfig(config, 'destination', 'config');
      publisher = new StreamPublisher(this.nc(), config, this.context.logger);
      this.publishers.set(key, publisher);
    }
    return { written: batch.length === 0 ? 0 : await publisher.write(batch) };
  }

  /** NATS answers and a stream captures the subject. */
  async healthCheck(config: NatsConfig): Promise<HealthResult> {
    const started = performance.now();
    const latencyMs = (): number => Math.round((performance.now() - started) * 100) / 100;
    try {
      await this.nc().rtt();
      await streamFor(this.nc(), config);
      return { ok: true, latencyMs: latencyMs() };
    } catch (err) {
      return { ok: false, latencyMs: latencyMs(), error: (err as Error).message };
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.cursors].map((c) => c.close()));
    this.cursors.clear();
    this.publishers.clear();
  }

  private nc(): NatsConnection {
    if (!this.context.bus) throw new AppError('UNAVAILABLE', 'the nats adapter needs the NATS bus (StorageContext.bus)');
    return this.context.bus.nc;
  }
}

export const natsAdapter: AdapterDefinition<NatsConfig> = {
  type: 'nats',
  description: 'JetStream stream by subject filter (resumable by sequence); JetStream publish to a subject, deduplicated',
  roles: ['source', 'destination'],
  configSchema: natsConfigSchema,
  validate: checkNatsConfig,
  adapter: NatsAdapter,
};
