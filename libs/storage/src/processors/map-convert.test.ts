import { describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import { factory, fieldOf, frozen, processor, validationError } from '../testing/processor-harness.js';

describe('map - select, copy/rename, exclude', () => {
  const item = frozen({ id: 1, full_name: 'Ada', address: { city: 'London', zip: 'N1' }, secret: 'x' });

  it.each([
    ['rename via copy + exclude', { fields: { name: 'full_name' }, exclude: ['full_name'] }, { id: 1, name: 'Ada', address: { city: 'London', zip: 'N1' }, secret: 'x' }],
    ['select only', { select: ['id', 'address.city'] }, { id: 1, address: { city: 'London' } }],
    ['select then map (targets always kept)', { select: ['id'], fields: { city: 'address.city' } }, { id: 1, city: 'London' }],
    ['nested target', { select: ['id'], fields: { 'person.name': 'full_name' } }, { id: 1, person: { name: 'Ada' } }],
    ['exclude nested', { exclude: ['secret', 'address.zip'] }, { id: 1, full_name: 'Ada', address: { city: 'London' } }],
    ['missing source leaves target unset', { fields: { nick: 'nickname' } }, { id: 1, full_name: 'Ada', address: { city: 'London', zip: 'N1' }, secret: 'x' }],
  ])('%s', async (_name, config, expected) => {
    const run = await processor('map', config);
    expect(await run(item)).toEqual(expected);
  });

  it('never changes the input (nested objects are copied, not shared for writes)', async () => {
    const input = { id: 1, address: { city: 'London' } };
    const run = await processor('map', { fields: { 'address.country': 'id' } });
    const out = (await run(input)) as Record<string, unknown>;
    expect(out).toEqual({ id: 1, address: { city: 'London', country: 1 } });
    expect(input).toEqual({ id: 1, address: { city: 'London' } });
  });

  it.each([
    ['empty config', {}, 'processors[0].config'],
    ['unknown key', { fields: { a: 'b' }, rename: {} }, 'processors[0].config.rename'],
    ['prototype path as source', { fields: { a: '__proto__.polluted' } }, 'processors[0].config.fields.a'],
    ['prototype path as target', { fields: { '__proto__.x': 'a' } }, 'processors[0].config.fields.__proto__.x'],
    ['empty select', { select: [] }, 'processors[0].config.select'],
    ['select not strings', { select: [1] }, 'processors[0].config.select.0'],
  ])('bad config: %s -> VALIDATION naming %s', (_name, config, field) => {
    const err = validationError(() => factory.validateProcessorConfig('map', config, 'processors[0]'));
    expect(fieldOf(err)).toBe(field);
  });
});

describe('convert - type conversion', () => {
  it.each([
    ['string from number', 'string', 12.5, '12.5'],
    ['string from object', 'string', { a: 1 }, '{"a":1}'],
    ['number from string', 'number', ' 12.5 ', 12.5],
    ['number from boolean', 'number', true, 1],
    ['integer from string', 'integer', '42', 42],
    ['boolean from yes', 'boolean', 'Yes', true],
    ['boolean from 0', 'boolean', 0, false],
    ['boolean from "off"', 'boolean', 'off', false],
    ['date from ISO with offset', 'date', '2024-03-01T10:00:00+02:00', '2024-03-01T08:00:00.000Z'],
    ['date from epoch ms', 'date', 0, '1970-01-01T00:00:00.000Z'],
    ['json from text', 'json', '{"a":[1,2]}', { a: [1, 2] }],
    ['json leaves objects', 'json', { a: 1 }, { a: 1 }],
  ])('%s', async (_name, type, value, expected) => {
    const run = await processor('convert', { fields: { v: type } });
    expect(await run(frozen({ id: 1, v: value }))).toEqual({ id: 1, v: expected });
  });

  it('converts nested paths and leaves missing and null fields alone', async () => {
    const run = await processor('convert', { fields: { 'a.b': 'integer', missing: 'number', nothing: 'boolean' } });
    expect(await run(frozen({ a: { b: '7' }, nothing: null }))).toEqual({ a: { b: 7 }, nothing: null });
  });

  it.each([
    ['number', 'abc'],
    ['number', ''],
    ['number', 'Infinity'],
    ['integer', '12.5'],
    ['integer', '9007199254740993'],
    ['boolean', 'maybe'],
    ['boolean', 2],
    ['date', 'not a date'],
    ['json', '{broken'],
    ['number', { a: 1 }],
  ])('%s from %p fails the item naming the field', async (type, value) => {
    const run = await processor('convert', { fields: { price: type } });
    const err = await run({ id: 1, price: value }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('VALIDATION');
    expect((err as AppError).message).toContain('"price"');
    expect((err as AppError).message).toContain(type);
    expect(fieldOf(err as AppError)).toBe('price');
  });

  it.each([
    ['unknown type', { fields: { price: 'money' } }, 'processors[0].config.fields.price'],
    ['no fields', {}, 'processors[0].config.fields'],
    ['empty fields', { fields: {} }, 'processors[0].config.fields'],
    ['bad path', { fields: { 'a..b': 'number' } }, 'processors[0].config.fields.a..b'],
  ])('bad config: %s -> VALIDATION naming %s', (_name, config, field) => {
    expect(fieldOf(validationError(() => factory.validateProcessorConfig('convert', config, 'processors[0]')))).toBe(field);
  });
});
