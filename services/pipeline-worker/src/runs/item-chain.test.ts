import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@autoweave/observability';
import type { Item, ProcessorFn } from '@autoweave/storage';
import { ItemChain } from './item-chain.js';

const context = { logger: createLogger({ service: 'test', level: 'silent' }), dataDir: '/tmp', pipelineId: 'p', config: {} };
const chainOf = (...fns: Array<[string, ProcessorFn]>) => new ItemChain(fns.map(([type, fn]) => ({ type, fn, context })));

describe('item chain - processors in order, item by item', () => {
  it('passes items through when there are no processors', async () => {
    const items = [{ id: 1 }, { id: 2 }];
    expect(await chainOf().run(items)).toMatchObject({ items, failures: [] });
  });

  it('applies processors in order, fans out arrays and drops nulls', async () => {
    const result = await chainOf(
      ['split', (item) => [{ ...item, part: 1 }, { ...item, part: 2 }]],
      ['drop-odd', (item) => (Number(item.id) % 2 === 1 ? null : item)],
      ['tag', async (item) => ({ ...item, tagged: true })],
    ).run([{ id: 1 }, { id: 2 }]);
    expect(result.items).toEqual([
      { id: 2, part: 1, tagged: true },
      { id: 2, part: 2, tagged: true },
    ]);
    expect(result.dropped).toEqual([0, 2, 0]);
    expect(result.passed).toEqual([4, 2, 2]);
  });

  it('fails an item as a whole at the stage that threw, keeping the original item, and goes on with the others', async () => {
    const original: Item = { id: 'bad' };
    const result = await chainOf(
      ['copy', (item) => ({ ...item, copied: true })],
      ['check', (item) => {
        if (item.id === 'bad') throw new TypeError('no good');
        return item;
      }],
    ).run([{ id: 'ok' }, original]);
    expect(result.items).toEqual([{ id: 'ok', copied: true }]);
    expect(result.failures).toEqual([{ item: original, stage: 1, processor: 'check', error: 'TypeError: no good' }]);
  });

  it('runs the async calls of a stage concurrently, keeps the source order, and fails only the items whose promise rejected', async () => {
    let inFlight = 0;
    let most = 0;
    const result = await chainOf([
      'remote',
      async (item) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 30 - Number(item.id) * 5));
        inFlight--;
        if (item.id === 3) throw new Error('upstream refused item 3');
        return { ...item, done: true };
      },
    ]).run([1, 2, 3, 4, 5].map((id) => ({ id })));
    expect(most).toBe(5);
    expect(result.items.map((i) => i.id)).toEqual([1, 2, 4, 5]);
    expect(result.failures).toEqual([{ item: { id: 3 }, stage: 0, processor: 'remote', error: 'upstream refused item 3' }]);
  });
});
