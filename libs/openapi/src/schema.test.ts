import { describe, expect, it } from '@jest/globals';
import { selfContainedSchema } from './index.js';

describe('selfContainedSchema', () => {
  it.each([
    ['no schema', {}, undefined, {}],
    ['no refs to rewrite', {}, { type: 'string' }, { type: 'string' }],
    ['an unknown $ref is left alone', {}, { $ref: 'https://x.example.com/s.json#/A' }, { $ref: 'https://x.example.com/s.json#/A' }],
    [
      'names made unique, existing $defs kept',
      { '#/components/schemas/A': { type: 'integer' }, 'https://x.example.com/s.json#/A': { type: 'string' } },
      { $defs: { A: { type: 'null' } }, anyOf: [{ $ref: '#/components/schemas/A' }, { $ref: 'https://x.example.com/s.json#/A' }] },
      {
        anyOf: [{ $ref: '#/$defs/A_2' }, { $ref: '#/$defs/A_3' }],
        $defs: { A: { type: 'null' }, A_2: { type: 'integer' }, A_3: { type: 'string' } },
      },
    ],
  ])('%s', (_label, refSchemas, schema, expected) => {
    expect(selfContainedSchema({ refSchemas }, schema)).toEqual(expected);
  });

  it('follows refs inside the definitions, mutual recursion included', () => {
    const refSchemas = {
      '#/components/schemas/A': { properties: { b: { $ref: '#/components/schemas/B' } } },
      '#/components/schemas/B': { properties: { a: { $ref: '#/components/schemas/A' } } },
    };
    expect(selfContainedSchema({ refSchemas }, { items: { $ref: '#/components/schemas/A' } })).toEqual({
      items: { $ref: '#/$defs/A' },
      $defs: { A: { properties: { b: { $ref: '#/$defs/B' } } }, B: { properties: { a: { $ref: '#/$defs/A' } } } },
    });
  });
});
