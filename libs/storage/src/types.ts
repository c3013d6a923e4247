import type { Bus } from '@autoweave/messaging';
import type { Logger } from '@autoweave/observability';
import type { OutboundPolicy } from '@autoweave/resilience';
import type { VectorStore } from './vector/types.js';

/** One record moving through a pipeline: a JSON object. */
export type Item = Record<string, unknown>;

/**
 * Where a source has read up to: JSON, stored in the `pipeline_cursors` bucket
 * after the destination acknowledged the batch that reached it, and handed
 * back to `createCursor` to resume. `null`: from the beginning.
 */
export type CursorPosition = Record<string, unknown> | null;

export interface SourceBatch {
  /**
   * May be empty when only the position moves (a full refresh resumed past
   * its end hands back `null`); checkpoint it like any other batch.
   */
  items: Item[];
  /**
   * The position after the last item of this batch. `null` on the last batch
   * of a source that reads everything each run (postgres full refresh,
   * integration with afterLastPage: restart): the next run starts over.
   */
  position: CursorPosition;
}

/** A resumable read: batches in order, then done. */
export interface SourceCursor extends AsyncIterable<SourceBatch> {
  /** Releases what the read holds (connections, consumers); safe to call twice. */
  close(): Promise<void>;
  /**
   * How far the source is behind: items after the current position (the
   * resume position before the first batch, then the last batch handed on)
   * that this cursor has not read. Asked once when a run ends, never per
   * batch, so it may cost a query or a round trip. Resolves undefined when
   * the source cannot tell (an API that reports no total); rejects when the
   * source cannot be reached (the caller then records nothing).
   */
  lag?(): Promise<number | undefined>;
}

export interface CursorOptions {
  batchSize: number;
  /** Resume after this position (the last checkpoint); null or absent: from the start. */
  position?: CursorPosition;
  /** Checked between batches: an aborted read throws the signal's reason. */
  signal?: AbortSignal;
}

export interface WriteResult {
  written: number;
}

export interface HealthResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

/** What every adapter and processor is given: the bus (for NATS-backed ones), a logger, a data folder. */
export interface StorageContext {
  bus?: Bus;
  logger: Logger;
  /** A folder for file-backed stores (the embedded vector store). */
  dataDir: string;
  /**
   * Which addresses outbound HTTP from components may reach (the `openai`
   * embedder). Absent: public addresses only (`STRICT_OUTBOUND`).
   */
  outbound?: OutboundPolicy;
  /**
   * The process's vector store (`createVectorStore`), shared by the `vector`
   * destination and search. Absent: the embedded store under `dataDir`.
   */
  vectorStore?: VectorStore;
}

/**
 * The seed's adapter interface. One instance per pipeline stage; `config` is
 * the stage's validated config (connection and table, collection, subject...).
 * A source implements `createCursor`, a destination `writeBatch`; writes are
 * idempotent upserts by key so a resumed run never duplicates.
 */
export interface StorageAdapter<C = Record<string, unknown>> {
  createCursor?(config: C, options: CursorOptions): Promise<SourceCursor>;
  writeBatch?(batch: Item[], config: C): Promise<WriteResult>;
  healthCheck(config: C): Promise<HealthResult>;
  close(): Promise<void>;
}

export type AdapterConstructor<C = Record<string, unknown>> = new (context: StorageContext) => StorageAdapter<C>;

/**
 * How a stage config is checked before anything runs: a JSON Schema (ajv,
 * draft-07). A bad config is a VALIDATION error that names the field.
 */
export type ConfigSchema = Record<string, unknown>;

export interface AdapterDefinition<C = Record<string, unknown>> {
  type: string;
  description: string;
  roles: ReadonlyArray<'source' | 'destination'>;
  configSchema: ConfigSchema;
  /**
   * Checks the schema cannot express (fields that depend on each other or on
   * the role: a `query` cannot be a destination), run by
   * `validateAdapterConfig` after the schema passed. Throws VALIDATION naming
   * the field under `where` (e.g. `source.config.cursorColumn`).
   */
  validate?(config: C, role: 'source' | 'destination', where: string): void;
  adapter: AdapterConstructor<C>;
}

/** What a processor sees besides the item. */
export interface ProcessorContext extends StorageContext {
  pipelineId: string;
  /** The processor's own validated config. */
  config: Record<string, unknown>;
}

/**
 * A processor returns the item (changed or not), several items (chunking),
 * or null to drop it. Throwing sends the item to the pipeline's dead-letter
 * stream with the error.
 */
export type ProcessorResult = Item | Item[] | null;
export type ProcessorFn = (item: Item, context: ProcessorContext) => ProcessorResult | Promise<ProcessorResult>;

export interface ProcessorDefinition {
  type: string;
  description: string;
  configSchema: ConfigSchema;
  /**
   * Checks the schema cannot express (an expression that does not parse, a
   * nested embedder config), run by `validateProcessorConfig` after the schema
   * passed. Throws VALIDATION naming the field under `where` (e.g.
   * `processors[0].config.expression`).
   */
  validate?(config: Record<string, unknown>, where: string): void;
  /**
   * Called once per pipeline run with the validated config; returns the
   * per-item function (so expensive set-up, such as compiling an expression,
   * happens once).
   */
  create(config: Record<string, unknown>, context: StorageContext): ProcessorFn | Promise<ProcessorFn>;
}
