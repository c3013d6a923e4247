import type { Embedder, EmbedderDefinition } from './types.js';

/**
 * A deterministic embedder that needs no model: feature hashing of word
 * tokens and character trigrams into a fixed number of dimensions,
 * L2-normalized.
 *
 * What it is: LEXICAL similarity. Texts that share words, or parts of words
 * ("pet"/"pets", "listPets"/"list pets"), get similar vectors. What it is
 * not: semantic. "remove" and "delete" share nothing here; for meaning, use
 * the `openai` embedder with a real embedding model. It is the default so
 * that search works with nothing installed, and because it is exact and
 * repeatable (same text, same vector, on every machine and release).
 *
 * Text is normalized first: Unicode NFKD with diacritics removed, camelCase
 * and letter/digit boundaries split, lower-cased; a short list of English
 * stop words is dropped. Each word contributes a feature of weight 1 and its
 * boundary-marked trigrams ("#pe", "pet", "ets", "ts#") share a weight of 1
 * between them, so long words do not outweigh short ones. Features land in
 * a dimension by FNV-1a hash, with a sign from another hash bit so that
 * collisions cancel out on average instead of piling up.
 */
export const DEFAULT_LEXICAL_DIMENSIONS = 384;

const STOP_WORDS = new Set(
  'a an and are as at be by for from has have in into is it its of on or that the their this to was were will with all any'.split(' '),
);

const WORD_WEIGHT = 1;
const TRIGRAMS_WEIGHT = 1;

export function normalizeText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/gu, ' ')
    .replace(/(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/gu, ' ')
    .toLowerCase();
}

export function tokenize(text: string): string[] {
  return (normalizeText(text).match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => !STOP_WORDS.has(word));
}

/** FNV-1a, 32 bits, over UTF-16 code units (the same on every platform). */
function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function addFeature(vector: Float64Array, feature: string, weight: number): void {
  const hash = fnv1a(feature);
  const sign = fnv1a(feature, 0x9747b28c) & 1 ? 1 : -1;
  vector[hash % vector.length]! += sign * weight;
}

export function lexicalVector(text: string, dimensions = DEFAULT_LEXICAL_DIMENSIONS): number[] {
  const vector = new Float64Array(dimensions);
  for (const word of tokenize(text)) {
    addFeature(vector, `w:${word}`, WORD_WEIGHT);
    const marked = `#${word}#`;
    const grams = marked.length - 2;
    for (let i = 0; i < grams; i++) addFeature(vector, `t:${marked.slice(i, i + 3)}`, TRIGRAMS_WEIGHT / grams);
  }
  let sum = 0;
  for (const v of vector) sum += v * v;
  const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  return Array.from(vector, (v) => v * scale);
}

export class LexicalEmbedder implements Embedder {
  constructor(readonly dimensions: number = DEFAULT_LEXICAL_DIMENSIONS) {}

  async embed(texts: string[]): Promise<number[][]> {
    return texts.map((text) => lexicalVector(text, this.dimensions));
  }
}

export const lexicalEmbedder: EmbedderDefinition = {
  type: 'lexical',
  description: 'Deterministic, model-free: hashed word and character-trigram features (lexical similarity, not semantics)',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: {
      type: { const: 'lexical' },
      dimensions: { type: 'integer', minimum: 16, maximum: 4096, default: DEFAULT_LEXICAL_DIMENSIONS },
    },
  },
  create: (config) => new LexicalEmbedder(config.dimensions as number),
};
