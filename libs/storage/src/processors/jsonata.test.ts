import { describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import { factory, fieldOf, frozen, processor, validationError } from '../testing/processor-harness.js';
import { unsafeRegexReason } from './jsonata/safe-regex.js';

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('filter - JSONata truthiness', () => {
  const items = [
    { id: 1, status: 'active', price: 20, tags: ['a'] },
    { id: 2, status: 'active', price: 5, tags: [] },
    { id: 3, status: 'gone', price: 50 },
  ];

  it.each([
    ["status = 'active' and price > 10", [1]],
    ['price', [1, 2, 3]],
    ['tags', [1]],
    ['missing.field', []],
    ["$contains(status, /act/)", [1, 2]],
  ])('%s keeps %p', async (expression, kept) => {
    const run = await processor('filter', { expression });
    const out = [];
    for (const item of items) if ((await run(frozen({ ...item }))) !== null) out.push(item.id);
    expect(out).toEqual(kept);
  });

  it('passes the item through unchanged', async () => {
    const run = await processor('filter', { expression: 'true' });
    expect(await run(frozen({ id: 1, nested: { a: 1 } }))).toEqual({ id: 1, nested: { a: 1 } });
  });
});

describe('transform - JSONata result becomes the item', () => {
  it('reshapes with an object constructor and functions', async () => {
    const run = await processor('transform', { expression: "{'id': id, 'name': $uppercase(name), 'total': $sum(lines.amount)}" });
    expect(await run(frozen({ id: 7, name: 'ada', lines: [{ amount: 2 }, { amount: 3 }] }))).toEqual({ id: 7, name: 'ADA', total: 5 });
  });

  it('an array of objects gives several items; an empty array drops the item', async () => {
    const split = await processor('transform', { expression: "lines.{'order': %.id, 'amount': amount}" });
    expect(await split(frozen({ id: 7, lines: [{ amount: 2 }, { amount: 3 }] }))).toEqual([
      { order: 7, amount: 2 },
      { order: 7, amount: 3 },
    ]);
    const none = await processor('transform', { expression: '[]' });
    expect(await none({ id: 1 })).toBeNull();
  });

  it('the result is a plain copy: changing it does not reach the input', async () => {
    const input = { id: 1, nested: { a: 1 } };
    const run = await processor('transform', { expression: '$' });
    const out = (await run(input)) as { nested: { a: number } };
    out.nested.a = 2;
    expect(input.nested.a).toBe(1);
  });

  it.each([
    ['no result', 'nothere'],
    ['a number', '42'],
    ['a mixed array', '[1, {"a": 1}]'],
  ])('%s fails the item (use filter to drop on purpose)', async (_name, expression) => {
    const run = await processor('transform', { expression });
    const err = await failure(run({ id: 1 }));
    expect(err.code).toBe('VALIDATION');
    expect(err.message).toMatch(/must produce an object/);
  });

  it('a runtime error names the expression and keeps JSONata\u2019s message', async () => {
    const run = await processor('transform', { expression: "$error('boom')" });
    const err = await failure(run({ id: 1 }));
    expect(err.message).toContain('transform expression failed on this item: boom');
  });
});

describe('sandbox - limits and isolation', () => {
  it('an expression that loops forever is stopped by the time limit', async () => {
    // Tail recursion is a loop in JSONata (no stack growth), so only the clock stops it.
    const run = await processor('filter', { expression: '($loop := function($n) { $loop($n + 1) }; $loop(0))', timeoutMs: 50 });
    const err = await failure(run({ id: 1 }));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/ran longer than 50 ms/);
    // The worker is still fine: the next item is evaluated normally.
    const ok = await processor('filter', { expression: 'id = 1' });
    expect(await ok({ id: 1 })).toEqual({ id: 1 });
  });

  it('deep recursion is stopped by the depth limit', async () => {
    const run = await processor('transform', { expression: "($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; {'depth': $f(100000)})" });
    const err = await failure(run({ id: 1 }));
    expect(err.message).toMatch(/recursed deeper than/);
  });

  it('huge sequences and padding are refused', async () => {
    const range = await processor('transform', { expression: "{'n': $count([1..5000000])}" });
    expect((await failure(range({}))).message).toMatch(/sequence longer than/);
    const pad = await processor('transform', { expression: "{'s': $pad('x', 500000000)}" });
    expect((await failure(pad({}))).message).toMatch(/\$pad width is limited/);
    const smallPad = await processor('transform', { expression: "{'s': $pad('x', -3, '0')}" });
    expect(await smallPad({})).toEqual({ s: '00x' });
  });

  it.each(['constructor', '$.constructor.constructor', '__proto__', "$lookup($, 'constructor')", "$eval('constructor')", 'toString'])(
    'nothing beyond the item: %s finds nothing',
    async (path) => {
      const run = await processor('transform', { expression: `{'got': $type(${path})}` });
      expect(await run(frozen({ id: 1 }))).toEqual({});
    },
  );

  it('calling through a prototype is impossible', async () => {
    const run = await processor('transform', { expression: "{'x': (constructor.constructor)('return process')()}" });
    expect((await failure(run({ id: 1 }))).message).toMatch(/non-function/);
  });

  it.each([
    ['(a+)+$', true],
    ['(a|aa)*b', true],
    ['(\\w+\\s?)*$', true],
    ['(?:x*){2,}', true],
    ['^GET /pets', false],
    ['[a-z]+@example\\.com', false],
    ['(foo|bar)', false],
    ['(ab)+', false],
    ['(a+){1}', false],
    ['[(a+)+]', false],
  ])('regex %s unsafe: %p', (source, unsafe) => {
    expect(unsafeRegexReason(source) !== undefined).toBe(unsafe);
  });

  it('an unsafe regex literal is a config error; one built by $eval fails the item', async () => {
    const err = validationError(() => factory.validateProcessorConfig('filter', { expression: '$contains(name, /(a+)+$/)' }, 'processors[1]'));
    expect(fieldOf(err)).toBe('processors[1].config.expression');
    const run = await processor('filter', { expression: "$eval('$contains(name, /(a+)+$/)')" });
    expect((await failure(run({ name: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' }))).message).toMatch(/regular expression refused/);
  });

  it.each([
    ['filter', { expression: 'status = ' }, 'processors[2].config.expression'],
    ['transform', { expression: '{' }, 'processors[2].config.expression'],
    ['filter', {}, 'processors[2].config.expression'],
    ['filter', { expression: '' }, 'processors[2].config.expression'],
    ['filter', { expression: 'true', timeoutMs: 60000 }, 'processors[2].config.timeoutMs'],
    ['transform', { expression: '$', code: 'process.exit()' }, 'processors[2].config.code'],
  ])('%s with bad config %p -> VALIDATION naming %s', (type, config, field) => {
    expect(fieldOf(validationError(() => factory.validateProcessorConfig(type, config, 'processors[2]')))).toBe(field);
  });
});
