import { describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import { factory, fieldOf, frozen, processor, validationError } from '../testing/processor-harness.js';
import { chunkText } from './chunk.js';

describe('dedupe - by key fields within a run', () => {
  it('keeps the first item of each key; keys compare by value and type', async () => {
    const run = await processor('dedupe', { fields: ['tenant', 'id'] });
    const items = [
      { tenant: 'a', id: 1, v: 'first' },
      { tenant: 'a', id: 1, v: 'second' },
      { tenant: 'b', id: 1, v: 'other tenant' },
      { tenant: 'a', id: '1', v: 'string id' },
    ];
    const kept = [];
    for (const item of items) {
      const out = await run(frozen(item));
      if (out) kept.push((out as { v: string }).v);
    }
    expect(kept).toEqual(['first', 'other tenant', 'string id']);
  });

  it('a new run starts empty', async () => {
    const first = await processor('dedupe', { fields: ['id'] });
    await first({ id: 1 });
    const second = await processor('dedupe', { fields: ['id'] });
    expect(await second({ id: 1 })).toEqual({ id: 1 });
  });

  it('an item without the key fails instead of being merged with other keyless items', async () => {
    const run = await processor('dedupe', { fields: ['id'] });
    await expect(run({ name: 'x' })).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('"id"') });
  });

  it('needs at least one field', () => {
    expect(fieldOf(validationError(() => factory.validateProcessorConfig('dedupe', { fields: [] }, 'p')))).toBe('p.config.fields');
  });
});

describe('chunk - text into overlapping chunks', () => {
  it('splits at whitespace, overlaps, and covers the whole text', () => {
    const text = 'alpha beta gamma delta epsilon zeta eta theta iota kappa';
    const chunks = chunkText(text, 20, 6);
    expect(chunks.every((c) => Array.from(c).length <= 20)).toBe(true);
    expect(chunks[0]).toBe('alpha beta gamma ');
    // Each chunk starts with the last 6 characters of the previous one.
    for (let i = 1; i < chunks.length; i++) expect(chunks[i]!.startsWith(chunks[i - 1]!.slice(-6))).toBe(true);
    expect(chunks.at(-1)!.endsWith('kappa')).toBe(true);
  });

  it('cuts a word that is longer than a chunk, and never splits a code point', () => {
    expect(chunkText('abcdefghij', 4, 0)).toEqual(['abcd', 'efgh', 'ij']);
    const emoji = '\u{1F600}'.repeat(5);
    expect(chunkText(emoji, 2, 0)).toEqual(['\u{1F600}\u{1F600}', '\u{1F600}\u{1F600}', '\u{1F600}']);
  });

  it('gives items keyed <key>#<index> with their index, count and parent', async () => {
    const run = await processor('chunk', { field: 'body', size: 12, overlap: 0 });
    const input = frozen({ id: 'doc-1', title: 'T', body: 'one two three four five' });
    const out = (await run(input)) as Record<string, unknown>[];
    expect(out.map((i) => [i.id, i.body, i.chunkIndex, i.chunkCount, i.parentKey, i.title])).toEqual([
      ['doc-1#0', 'one two ', 0, 3, 'doc-1', 'T'],
      ['doc-1#1', 'three four ', 1, 3, 'doc-1', 'T'],
      ['doc-1#2', 'five', 2, 3, 'doc-1', 'T'],
    ]);
    expect(input.id).toBe('doc-1');
  });

  it('an empty text drops the item; a missing text or key fails it', async () => {
    const run = await processor('chunk', { field: 'body', size: 10 });
    expect(await run({ id: 1, body: '   ' })).toEqual([]);
    await expect(run({ id: 1 })).rejects.toMatchObject({ code: 'VALIDATION', details: { field: 'body' } });
    await expect(run({ body: 'text' })).rejects.toMatchObject({ code: 'VALIDATION', details: { field: 'id' } });
  });

  it.each([
    [{ field: 'body', size: 10, overlap: 10 }, 'p.config.overlap'],
    [{ field: 'body', size: 0 }, 'p.config.size'],
    [{ size: 10 }, 'p.config.field'],
  ])('bad config %p -> VALIDATION naming %s', (config, field) => {
    const err = validationError(() => factory.validateProcessorConfig('chunk', config, 'p'));
    expect(err).toBeInstanceOf(AppError);
    expect(fieldOf(err)).toBe(field);
  });
});
