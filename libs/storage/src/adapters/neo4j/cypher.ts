import { AppError } from '@autoweave/contracts';
import neo4j from 'neo4j-driver';
import { preview } from '../../paths.js';
import type { Item } from '../../types.js';

/**
 * Cypher for the graph destination, built by plain functions (tested without
 * a server). Values always travel as parameters; the only names written into
 * query text are labels, relationship types and key property names from the
 * stage config, and each must match `IDENTIFIER` and is backquoted on top:
 * there is no way to close the quote or start a clause through config or data.
 */
export const IDENTIFIER_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,63}$';
const IDENTIFIER = new RegExp(IDENTIFIER_PATTERN);

export const identifierSchema = { type: 'string', pattern: IDENTIFIER_PATTERN } as const;

export interface NodeSpec {
  label: string;
  /** Top-level item field holding the node's key. */
  keyField: string;
  /** Node property the key is stored in and merged on; default: `keyField`. */
  keyProperty?: string;
  /** Item fields written as node properties; default: every field but the key. */
  properties?: string[];
}

export interface EndpointSpec {
  label: string;
  /** Item field holding this end's key (an array gives one relationship per element). */
  keyField: string;
  keyProperty?: string;
}

export interface RelationshipSpec {
  type: string;
  from: EndpointSpec;
  to: EndpointSpec;
}

export type Neo4jValue = null | boolean | string | number | ReturnType<typeof neo4j.int> | Neo4jValue[];

/** A config name as a backquoted Cypher identifier; VALIDATION for anything else. */
export function quoteIdentifier(name: unknown, what: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new AppError('VALIDATION', `${what} must match ${IDENTIFIER_PATTERN} (got ${preview(name)})`, { field: what });
  }
  return `\`${name}\``;
}

export function nodeUpsertQuery(spec: NodeSpec): string {
  const label = quoteIdentifier(spec.label, 'nodes.label');
  const key = quoteIdentifier(spec.keyProperty ?? spec.keyField, 'nodes.keyProperty');
  return `UNWIND $rows AS row\nMERGE (n:${label} {${key}: row.key})\nSET n += row.props`;
}

export function relationshipUpsertQuery(spec: RelationshipSpec, index: number): string {
  const where = `relationships[${index}]`;
  const type = quoteIdentifier(spec.type, `${where}.type`);
  const fromLabel = quoteIdentifier(spec.from.label, `${where}.from.label`);
  const fromKey = quoteIdentifier(spec.from.keyProperty ?? spec.from.keyField, `${where}.from.keyProperty`);
  const toLabel = quoteIdentifier(spec.to.label, `${where}.to.label`);
  const toKey = quoteIdentifier(spec.to.keyProperty ?? spec.to.keyField, `${where}.to.keyProperty`);
  return [
    'UNWIND $rows AS row',
    `MERGE (a:${fromLabel} {${fromKey}: row.from})`,
    `MERGE (b:${toLabel} {${toKey}: row.to})`,
    `MERGE (a)-[:${type}]->(b)`,
  ].join('\n');
}

/**
 * A JSON value as a property value Neo4j can store: integers as Neo4j
 * integers (not floats), arrays of one primitive type as lists, objects and
 * mixed arrays as JSON text (properties cannot be maps).
 */
export function toPropertyValue(value: unknown): Neo4jValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? neo4j.int(value) : value;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    const kinds = new Set(value.map((v) => typeof v));
    const primitive = value.every((v) => v !== null && ['string', 'number', 'boolean'].includes(typeof v));
    if (primitive && kinds.size <= 1) {
      // Lists must be one type: integers only when every number is one.
      if (kinds.has('number') && !value.every((v) => Number.isSafeInteger(v))) return value as number[];
      return value.map((v) => toPropertyValue(v));
    }
  }
  return JSON.stringify(value);
}

function keyValue(value: unknown, field: string, item: Item): Neo4jValue {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return toPropertyValue(value);
  throw new AppError('VALIDATION', `item ${preview(item, 80)}: key field "${field}" must be a non-empty string or a number`, { field });
}

export interface NodeRow {
  key: Neo4jValue;
  props: Record<string, Neo4jValue>;
}

export function nodeRows(items: readonly Item[], spec: NodeSpec): NodeRow[] {
  return items.map((item) => {
    const key = keyValue(item[spec.keyField], spec.keyField, item);
    const fields = spec.properties ?? Object.keys(item).filter((f) => f !== spec.keyField);
    const props: Record<string, Neo4jValue> = {};
    for (const field of fields) {
      // Property names from data are parameter map keys, never query text.
      if (Object.hasOwn(item, field)) props[field] = toPropertyValue(item[field]);
    }
    return { key, props };
  });
}

export interface RelationshipRow {
  from: Neo4jValue;
  to: Neo4jValue;
}

/** One row per (from, to) pair of the items; an item without either end adds none. */
export function relationshipRows(items: readonly Item[], spec: RelationshipSpec): RelationshipRow[] {
  const rows: RelationshipRow[] = [];
  const ends = (item: Item, field: string): Neo4jValue[] => {
    const value = item[field];
    if (value === undefined || value === null) return [];
    return (Array.isArray(value) ? value : [value]).map((v) => keyValue(v, field, item));
  };
  for (const item of items) {
    for (const from of ends(item, spec.from.keyField)) {
      for (const to of ends(item, spec.to.keyField)) rows.push({ from, to });
    }
  }
  return rows;
}

export interface Statement {
  query: string;
  params: { rows: unknown[] };
}

/** The statements that write one batch, nodes first; all run in one transaction. */
export function batchStatements(items: readonly Item[], nodes: NodeSpec, relationships: readonly RelationshipSpec[] = []): Statement[] {
  const statements: Statement[] = [{ query: nodeUpsertQuery(nodes), params: { rows: nodeRows(items, nodes) } }];
  relationships.forEach((spec, i) => {
    const rows = relationshipRows(items, spec);
    if (rows.length > 0) statements.push({ query: relationshipUpsertQuery(spec, i), params: { rows } });
  });
  return statements;
}
