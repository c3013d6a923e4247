import { AppError } from '@autoweave/contracts';
import { guardedAgent, STRICT_OUTBOUND, type OutboundPolicy } from '@autoweave/resilience';
import { request, type Dispatcher } from 'undici';
import type { StorageContext } from '../types.js';
import type { Embedder, EmbedderDefinition } from './types.js';

export interface OpenAiEmbedderConfig {
  /** Base URL of an OpenAI-compatible server; `/v1/embeddings` is appended (not twice when the URL ends in /v1). */
  url: string;
  model: string;
  /** Secret. Sent as `Authorization: Bearer`; never in errors or logs. */
  apiKey?: string;
  /** Vector size: sent as `dimensions` (models that support shortening honour it) and checked on every answer. */
  dimensions?: number;
  /** Texts per request. */
  batchSize: number;
  /** Per request, ms. */
  timeoutMs: number;
}

/** Answers larger than this are refused (64 texts x 3072 dimensions is about 4 MB of JSON). */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export function embeddingsUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return /\/v1$/.test(trimmed) ? `${trimmed}/embeddings` : `${trimmed}/v1/embeddings`;
}

/** One keep-alive pool per outbound policy, shared by every run (runs have no teardown hook). */
const agents = new WeakMap<OutboundPolicy, Dispatcher>();

function agentFor(policy: OutboundPolicy): Dispatcher {
  let agent = agents.get(policy);
  if (!agent) {
    agent = guardedAgent(policy, { keepAliveTimeout: 4_000, connections: 8 });
    agents.set(policy, agent);
  }
  return agent;
}

/**
 * Embeddings from any server speaking OpenAI's `POST /v1/embeddings`
 * (OpenAI, Azure-compatible gateways, vLLM, Ollama, text-embeddings-inference,
 * LocalAI...). Texts go in batches; each request has a deadline. Failures
 * are UPSTREAM (the server answered with an error; `details.status`),
 * TIMEOUT or UNAVAILABLE (not reachable), never carrying the API key. The
 * URL goes through the SSRF guard of `context.outbound`.
 */
export class OpenAiEmbedder implements Embedder {
  private dims: number | undefined;
  private readonly endpoint: string;

  constructor(
    private readonly config: OpenAiEmbedderConfig,
    private readonly dispatcher: Dispatcher,
  ) {
    this.dims = config.dimensions;
    this.endpoint = embeddingsUrl(config.url);
  }

  get dimensions(): number | undefined {
    return this.dims;
  }

  async embed(texts: string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let i = 0; i < texts.length; i += this.config.batchSize) {
      vectors.push(...(await this.embedBatch(texts.slice(i, i + this.config.batchSize))));
    }
    return vectors;
  }

  private async embedBatch(input: string[]): Promise<number[][]> {
    const body: Record<string, unknown> = { model: this.config.model, input, encoding_format: 'float' };
    if (this.config.dimensions !== undefined) body.dimensions = this.config.dimensions;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.config.apiKey) headers.authorization = `Bearer ${this.config.apiKey}`;
    const where = `embeddings ${this.endpoint}`;

    const signal = AbortSignal.timeout(this.config.timeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await request(this.endpoint, { method: 'POST', headers, body: JSON.stringify(body), dispatcher: this.dispatcher, signal });
      status = response.statusCode;
      text = await readLimited(response.body, MAX_RESPONSE_BYTES);
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (signal.aborted) throw new AppError('TIMEOUT', `${where}: no answer within ${this.config.timeoutMs} ms`);
      const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
      const code = e.code ?? e.cause?.code;
      if (code === 'ESSRF') throw new AppError('VALIDATION', `${where}: ${e.message}`, { field: 'embedder.url' });
      throw new AppError('UNAVAILABLE', `${where}: cannot reach the server (${code ?? e.message})`);
    }

    if (status < 200 || status >= 300) {
      // A server may echo the key back in its error; it never leaves here.
      const safe = this.config.apiKey ? text.split(this.config.apiKey).join('***') : text;
      const reason = errorText(safe);
      throw new AppError('UPSTREAM', `${where}: HTTP ${status}${reason ? `: ${reason}` : ''}`, { status, body: safe.slice(0, 500) });
    }
    return this.parse(text, input.length, where);
  }

  private parse(text: string, expected: number, where: string): number[][] {
    let parsed: { data?: { embedding?: unknown; index?: unknown }[] };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new AppError('UPSTREAM', `${where}: the answer is not JSON`, { status: 200, body: text.slice(0, 200) });
    }
    const data = parsed.data;
    if (!Array.isArray(data) || data.length !== expected) {
      throw new AppError('UPSTREAM', `${where}: expected ${expected} embeddings, got ${Array.isArray(data) ? data.length : 'none'}`);
    }
    const ordered = [...data].sort((a, b) => (Number(a.index) || 0) - (Number(b.index) || 0));
    return ordered.map((entry, i) => {
      const vector = entry.embedding;
      if (!Array.isArray(vector) || vector.length === 0 || !vector.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        throw new AppError('UPSTREAM', `${where}: embedding ${i} is not an array of numbers (base64 answers are not supported)`);
      }
      if (this.dims === undefined) this.dims = vector.length;
      if (vector.length !== this.dims) throw new AppError('UPSTREAM', `${where}: embedding ${i} has ${vector.length} dimensions, expected ${this.dims}`);
      return vector as number[];
    });
  }
}

function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message);
    if (typeof message === 'string') return message.slice(0, 300);
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 200).trim();
}

async function readLimited(body: AsyncIterable<Buffer | Uint8Array>, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) throw new AppError('UPSTREAM', `embeddings answer is larger than ${limit} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

export const openAiEmbedder: EmbedderDefinition = {
  type: 'openai',
  description: 'Any OpenAI-compatible POST /v1/embeddings endpoint (real semantic models), batched, with a per-request deadline',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'url', 'model'],
    properties: {
      type: { const: 'openai' },
      url: { type: 'string', pattern: '^https?://[^\\s]+$', description: 'Base URL, e.g. https://api.openai.com or http://ollama:11434.' },
      model: { type: 'string', minLength: 1, maxLength: 200 },
      apiKey: { type: 'string', minLength: 1, description: 'Secret.' },
      dimensions: { type: 'integer', minimum: 1, maximum: 65536 },
      batchSize: { type: 'integer', minimum: 1, maximum: 2048, default: 64 },
      timeoutMs: { type: 'integer', minimum: 100, maximum: 600000, default: 30000 },
    },
  },
  create: (config, context: StorageContext) =>
    new OpenAiEmbedder(config as unknown as OpenAiEmbedderConfig, agentFor(context.outbound ?? STRICT_OUTBOUND)),
};
