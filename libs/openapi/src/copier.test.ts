import { describe, expect, it } from '@jest/globals';
import { AppError } from '@autoweave/contracts';
import { Copier, objectsOnCycles } from './copier.js';
import { toJsonTree } from './operations.js';

/** A document as the dereferencer leaves it: $refs replaced by the very objects they point to. */
function webOfSchemas(): { doc: Record<string, unknown>; A: Record<string, unknown>; B: Record<string, unknown>; Address: Record<string, unknown> } {
  const Address = { type: 'object', properties: { city: { type: 'string' } } };
  const A: Record<string, unknown> = { type: 'object' };
  const B: Record<string, unknown> = { type: 'object' };
  A.properties = { b: B, home: Address, work: Address };
  B.properties = { a: A, list: { type: 'array', items: B } };
  const doc = { openapi: '3.0.3', paths: { '/a': { get: { responses: { '200': { schema: A } } } } }, components: { schemas: { A, B, Address } } };
  return { doc, A, B, Address };
}

describe('objectsOnCycles', () => {
  it('finds the objects on cycles and only those', () => {
    const { doc, A, B, Address } = webOfSchemas();
    const cycles = objectsOnCycles(doc);
    expect(cycles.has(A)).toBe(true);
    expect(cycles.has(B)).toBe(true);
    expect(cycles.has(A.properties as object)).toBe(true);
    expect(cycles.has(Address)).toBe(false);
    expect(cycles.has(doc)).toBe(false);
  });

  it('finds an object that contains itself', () => {
    const self: Record<string, unknown> = {};
    self.me = self;
    expect(objectsOnCycles({ self }).has(self)).toBe(true);
  });
});

describe('Copier', () => {
  it('expands the outermost recursive schema, references the ones inside it, and copies shared non-recursive ones everywhere', () => {
    const { doc, A } = webOfSchemas();
    const copy = new Copier(doc, new Map(), 1_000_000).schema(A);
    expect(copy).toEqual({
      type: 'object',
      properties: {
        b: { $ref: '#/components/schemas/B' },
        home: { type: 'object', properties: { city: { type: 'string' } } },
        work: { type: 'object', properties: { city: { type: 'string' } } },
      },
    });
  });

  it('names schemas of remote documents by their URL', () => {
    const Node: Record<string, unknown> = { type: 'object' };
    Node.properties = { next: Node };
    const doc = { paths: { '/n': { get: { schema: Node } } }, 'x-autoweave-external': { r1: { Node } } };
    const copy = new Copier(doc, new Map([['r1', 'https://specs.example.com/node.json']]), 1_000_000).schema(Node);
    expect(copy).toEqual({ type: 'object', properties: { next: { $ref: 'https://specs.example.com/node.json#/Node' } } });
  });

  it('copies a whole document with each recursive schema at its home and $refs elsewhere', () => {
    const { doc } = webOfSchemas();
    const tree = toJsonTree(doc);
    expect(tree.paths).toEqual({ '/a': { get: { responses: { '200': { schema: { $ref: '#/components/schemas/A' } } } } } });
    expect((tree.components as { schemas: Record<string, unknown> }).schemas.B).toEqual({
      type: 'object',
      properties: { a: { $ref: '#/components/schemas/A' }, list: { type: 'array', items: { $ref: '#/components/schemas/B' } } },
    });
    expect(() => JSON.stringify(tree)).not.toThrow();
  });

  it('never loops on a reference to the whole document', () => {
    const doc: Record<string, unknown> = { openapi: '3.0.3' };
    doc.paths = { '/a': { get: { schema: doc } } };
    expect(new Copier(doc, new Map(), 1_000_000).copy(doc)).toEqual({ openapi: '3.0.3', paths: { '/a': { get: { schema: { $ref: '#' } } } } });
  });

  it('throws VALIDATION past its byte budget', () => {
    const copier = new Copier({}, new Map(), 100);
    expect(() => copier.copy({ text: 'x'.repeat(200) })).toThrow(AppError);
    expect(() => copier.copy({})).toThrow(/grow past 100 bytes/);
  });
});
