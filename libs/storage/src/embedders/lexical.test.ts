import { describe, expect, it } from '@jest/globals';
import { processor } from '../testing/processor-harness.js';
import { LexicalEmbedder, lexicalVector, normalizeText, tokenize } from './lexical.js';

const cosine = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * b[i]!, 0);

describe('lexical embedder - deterministic, model-free, lexical', () => {
  it('normalizes: accents, camelCase, digits, case; drops stop words', () => {
    expect(normalizeText('Café listPets v2Beta HTTPServer')).toBe('cafe list pets v 2 beta http server');
    expect(tokenize('List all the Pets')).toEqual(['list', 'pets']);
  });

  it('gives unit vectors of the configured size, the same every time', async () => {
    const embedder = new LexicalEmbedder(64);
    const [a, b] = await embedder.embed(['GET /pets list pets', 'GET /pets list pets']);
    expect(a).toHaveLength(64);
    expect(Math.sqrt(cosine(a!, a!))).toBeCloseTo(1, 6);
    expect(a).toEqual(b);
    // Pinned values: a change here changes every stored vector and needs a re-index.
    expect(lexicalVector('pets', 16).map((v) => Math.round(v * 1000))).toEqual([0, 0, 0, 0, 0, 0, 0, -213, 213, 0, 853, -426, 0, 0, 0, 0]);
  });

  it('an empty text is the zero vector', () => {
    expect(lexicalVector('  ', 8)).toEqual(new Array(8).fill(0));
  });

  it('"list all pets" is nearer to "GET /pets list pets" than to "delete an order"', () => {
    const query = lexicalVector('list all pets');
    const pets = cosine(query, lexicalVector('GET /pets list pets'));
    const order = cosine(query, lexicalVector('delete an order'));
    expect(pets).toBeGreaterThan(0.5);
    expect(order).toBeLessThan(0.2);
    expect(pets).toBeGreaterThan(order);
  });

  it('shares word parts (pet/pets, listPets) but knows no synonyms', () => {
    const q = lexicalVector('pet');
    expect(cosine(q, lexicalVector('listPets'))).toBeGreaterThan(cosine(q, lexicalVector('listOrders')));
    // Honest limit: "remove" and "delete" have nothing in common lexically.
    expect(Math.abs(cosine(lexicalVector('remove'), lexicalVector('delete')))).toBeLessThan(0.3);
  });

  it('the embed processor puts the vector at target and leaves the input alone', async () => {
    const run = await processor('embed', { field: 'doc.text', target: 'emb', embedder: { type: 'lexical', dimensions: 32 } });
    const input = { id: 1, doc: { text: 'list pets' } };
    const out = (await run(input)) as { emb: number[] };
    expect(out.emb).toEqual(lexicalVector('list pets', 32));
    expect(input).toEqual({ id: 1, doc: { text: 'list pets' } });
  });

  it('the embed processor ranks operations for a plain query', async () => {
    const run = await processor('embed', { field: 'text', embedder: { type: 'lexical' } });
    const texts = ['GET /pets list pets', 'delete an order', 'POST /users create a user'];
    const vectors = await Promise.all(texts.map(async (text) => ((await run({ text })) as { vector: number[] }).vector));
    const query = ((await run({ text: 'list all pets' })) as { vector: number[] }).vector;
    const ranked = texts.map((t, i) => ({ t, s: cosine(query, vectors[i]!) })).sort((a, b) => b.s - a.s);
    expect(ranked[0]!.t).toBe('GET /pets list pets');
    expect(vectors[0]).toHaveLength(384);
  });
});
