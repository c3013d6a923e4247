import { identifierSchema, type NodeSpec, type RelationshipSpec } from './cypher.js';

export interface Neo4jDestinationConfig {
  url: string;
  username: string;
  password: string;
  database?: string;
  nodes: NodeSpec;
  relationships: RelationshipSpec[];
  batchSize: number;
  timeoutMs: number;
}

const endpointSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['label', 'keyField'],
  properties: {
    label: identifierSchema,
    keyField: { ...identifierSchema, description: 'Item field holding this end\u2019s key (an array gives one relationship per element).' },
    keyProperty: { ...identifierSchema, description: 'Node property holding the key; default: keyField.' },
  },
} as const;

export const neo4jConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'username', 'password', 'nodes'],
  properties: {
    // No user:password@ in the URL: credentials go in their own fields, where they are kept out of errors.
    url: { type: 'string', pattern: '^(bolt|neo4j)(\\+s|\\+ssc)?://[^\\s/@]+/?$', description: 'Bolt URL, e.g. bolt://neo4j:7687 (Neo4j or Memgraph).' },
    username: { type: 'string', minLength: 1 },
    password: { type: 'string', description: 'Secret.' },
    database: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9.-]{0,62}$', description: 'Neo4j database; omit for the default (and for Memgraph).' },
    nodes: {
      type: 'object',
      additionalProperties: false,
      required: ['label', 'keyField'],
      properties: {
        label: identifierSchema,
        keyField: { ...identifierSchema, description: 'Item field holding the node key.' },
        keyProperty: { ...identifierSchema, description: 'Node property the key is merged on; default: keyField.' },
        properties: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 }, description: 'Item fields written as properties; default: all.' },
      },
    },
    relationships: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'from', 'to'],
        properties: { type: identifierSchema, from: endpointSchema, to: endpointSchema },
      },
    },
    batchSize: { type: 'integer', minimum: 1, maximum: 50000, default: 500, description: 'Items per transaction.' },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 600000, default: 30000, description: 'Connection and transaction timeout.' },
  },
} as const;
