import type { ConfigSchema, StorageContext } from '../types.js';

/** Turns texts into vectors. */
export interface Embedder {
  /** Size of the vectors: known up front for `lexical`; for a remote model from config or its first answer. */
  readonly dimensions: number | undefined;
  /** One vector per text, in order. */
  embed(texts: string[]): Promise<number[][]>;
  /** Releases connections, if any. */
  close?(): Promise<void>;
}

/** A kind of embedder, chosen by `embedder.type` in an `embed` processor's config. */
export interface EmbedderDefinition {
  type: string;
  description: string;
  /** JSON Schema of the embedder config (including its `type`). */
  configSchema: ConfigSchema;
  create(config: Record<string, unknown>, context: StorageContext): Embedder;
}
