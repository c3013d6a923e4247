import type { EndpointPayload } from '@autoweave/contracts';
import type { Operation, ParsedApi } from '@autoweave/openapi';
import type { Item } from '@autoweave/storage';

/** The integration an API belongs to, as the index names it. */
export interface IndexedIntegration {
  id: string;
  name: string;
  description?: string;
}

/**
 * The items the endpoint-indexing source hands on: one per operation, and
 * one for the integration itself (the graph's Integration node; the index
 * destination also learns from it which integration the batch is complete
 * for, even when its spec has no operation left).
 */
export type EndpointItemKind = 'integration' | 'operation';

/** Longest description taken into an operation's text: the first paragraphs say what it does. */
const MAX_DESCRIPTION = 2000;

/** The vector key of an operation: `<integrationId>:<operationId>`. */
export function operationKey(integrationId: string, operationId: string): string {
  return `${integrationId}:${operationId}`;
}

/** The graph key of a schema of an integration: `<integrationId>:<schemaName>`. */
export function schemaKey(integrationId: string, schemaName: string): string {
  return `${integrationId}:${schemaName}`;
}

/**
 * What an operation is embedded from: summary, description, method and path,
 * operationId, tags, and each parameter's name and description. One field a
 * line, so a remote model reads it as a short document.
 */
export function operationText(op: Operation): string {
  const lines = [
    op.summary,
    clip(op.description),
    `${op.method.toUpperCase()} ${op.path}`,
    // An explicit operationId (findPetsByStatus) says what the operation does; a derived one is the line above.
    op.operationId === `${op.method.toUpperCase()} ${op.path}` ? undefined : op.operationId,
    op.tags.length > 0 ? `tags: ${op.tags.join(', ')}` : undefined,
    ...op.parameters.map((p) => (p.description ? `${p.name}: ${clip(p.description)}` : p.name)),
  ];
  return lines.filter((l): l is string => typeof l === 'string' && l.trim() !== '').join('\n');
}

/** The payload an operation is stored with in the `endpoints` collection. */
export function operationPayload(integration: IndexedIntegration, op: Operation): EndpointPayload {
  return {
    integrationId: integration.id,
    integrationName: integration.name,
    operationId: op.operationId,
    method: op.method.toUpperCase(),
    path: op.path,
    ...(op.summary ? { summary: op.summary } : {}),
  };
}

/**
 * The source's items for one integration and its parsed spec: the
 * integration's own item first, then one per operation with its text, its
 * payload fields and the schemas it uses (from the raw document, see
 * `schemaNamesUsed`; none when only the parsed API is known).
 */
export function endpointItems(integration: IndexedIntegration, api: ParsedApi, specHash: string, rawDocument?: unknown): Item[] {
  const integrationItem: Item = {
    id: integration.id,
    kind: 'integration' satisfies EndpointItemKind,
    integrationId: integration.id,
    integrationName: integration.name,
    title: api.title,
    version: api.version,
    specHash,
    operationCount: api.operations.length,
    text: [api.title, integration.name, clip(integration.description)].filter(Boolean).join('\n'),
  };
  const operations = api.operations.map((op): Item => {
    const schemaNames = rawDocument === undefined ? [] : schemaNamesUsed(rawDocument, op.path, op.method);
    return {
      id: operationKey(integration.id, op.operationId),
      kind: 'operation' satisfies EndpointItemKind,
      ...operationPayload(integration, op),
      tags: op.tags,
      deprecated: op.deprecated,
      specHash,
      schemaNames,
      schemas: schemaNames.map((name) => schemaKey(integration.id, name)),
      text: operationText(op),
    };
  });
  return [integrationItem, ...operations];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `#/components/schemas/Pet` (OpenAPI 3) or `#/definitions/Pet` (Swagger 2.0) -> `Pet`. */
const SCHEMA_REF = /^#\/(?:components\/schemas|definitions)\/([^/]+)$/;
/** Other local components an operation may refer to, followed to the schemas they use. */
const COMPONENT_REF = /^#\/(?:components\/(?:parameters|requestBodies|responses|headers|examples|links|callbacks|pathItems)|parameters|responses)\/[^/]+$/;

/**
 * The names of the component schemas an operation refers to, in the raw
 * (not dereferenced) document: `$ref`s in its parameters (and the path's),
 * request body and responses, through referenced parameters, bodies and
 * responses; a schema's own references to other schemas are not followed
 * (the graph says what an operation uses directly). Sorted, no duplicates.
 */
export function schemaNamesUsed(document: unknown, path: string, method: string): string[] {
  if (!isObject(document) || !isObject(document.paths)) return [];
  const item = document.paths[path];
  if (!isObject(item)) return [];
  const operation = item[method];
  if (!isObject(operation)) return [];
  const found = new Set<string>();
  const followed = new Set<string>();
  const visit = (node: unknown, depth: number): void => {
    if (depth > 64) return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child, depth + 1);
      return;
    }
    if (!isObject(node)) return;
    const ref = node.$ref;
    if (typeof ref === 'string') {
      const schema = SCHEMA_REF.exec(ref);
      if (schema) found.add(decodePointerToken(schema[1]!));
      else if (COMPONENT_REF.test(ref) && !followed.has(ref)) {
        followed.add(ref);
        visit(resolveLocal(document, ref), depth + 1);
      }
      return;
    }
    for (const [key, child] of Object.entries(node)) {
      // Examples are data, not structure: a "$ref" key inside one means nothing.
      if (key === 'example' || key === 'examples' || key.startsWith('x-')) continue;
      visit(child, depth + 1);
    }
  };
  visit(item.parameters, 0);
  visit({ parameters: operation.parameters, requestBody: operation.requestBody, responses: operation.responses, callbacks: operation.callbacks }, 0);
  return [...found].sort();
}

function resolveLocal(document: Json, ref: string): unknown {
  let node: unknown = document;
  for (const token of ref.slice(2).split('/')) {
    if (!isObject(node)) return undefined;
    node = node[decodePointerToken(token)];
  }
  return node;
}

function decodePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function clip(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  return trimmed.length <= MAX_DESCRIPTION ? trimmed : `${trimmed.slice(0, MAX_DESCRIPTION)}…`;
}
