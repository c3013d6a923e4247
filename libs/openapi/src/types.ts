/**
 * A JSON Schema as found in an OpenAPI document, after dereferencing: no `$ref` is left except at
 * the point where a recursive schema refers back to itself, which keeps `{"$ref": "#/components/..."}`
 * (or `"https://host/file.json#/..."` for a schema from a remote document). Always JSON-safe (a tree).
 */
export type JsonSchema = Record<string, unknown>;

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

export interface OperationParameter {
  name: string;
  in: ParameterLocation;
  required: boolean;
  schema: JsonSchema;
  style?: string;
  explode?: boolean;
  description?: string;
}

export interface OperationRequestBody {
  required: boolean;
  /** The JSON media type chosen (application/json or a +json type), else the first one. */
  contentType: string;
  schema?: JsonSchema;
}

export interface OperationResponse {
  description?: string;
  contentType?: string;
  schema?: JsonSchema;
}

/** One entry of a security requirement: scheme name -> scopes. All schemes of one entry apply together. */
export type SecurityRequirement = Record<string, string[]>;

export type SecurityScheme =
  | { type: 'apiKey'; name: string; in: 'header' | 'query' | 'cookie' }
  | { type: 'http'; scheme: string; bearerFormat?: string }
  | { type: 'oauth2'; flows: { clientCredentials?: { tokenUrl: string; scopes: Record<string, string> } } & Record<string, unknown> }
  | { type: 'openIdConnect'; openIdConnectUrl: string }
  | { type: 'mutualTLS' };

export interface Operation {
  /** The spec's operationId, or `METHOD /path` when it has none. */
  operationId: string;
  method: HttpMethod;
  path: string;
  summary?: string;
  description?: string;
  tags: string[];
  /** Path-level and operation-level parameters merged (operation wins on name+location). */
  parameters: OperationParameter[];
  requestBody?: OperationRequestBody;
  /** By status code ("200", "4XX", "default"). */
  responses: Record<string, OperationResponse>;
  /** The effective requirements (operation-level, else the document's); [] means no auth. */
  security: SecurityRequirement[];
  deprecated: boolean;
}

export interface ServerVariable {
  default: string;
  enum?: string[];
}

export interface ApiServer {
  url: string;
  variables: Record<string, ServerVariable>;
}

/** What AutoWeave keeps of an OpenAPI document. */
export interface ParsedApi {
  /** The document's own version: 2.0 documents are converted or refused (see loadOpenApi). */
  openapiVersion: '3.0' | '3.1';
  title: string;
  version: string;
  servers: ApiServer[];
  securitySchemes: Record<string, SecurityScheme>;
  operations: Operation[];
  /**
   * The URL the document was loaded from (`openAPIUrl`), when there was one. Relative server URLs
   * and relative `$ref`s are resolved against it.
   */
  sourceUrl?: string;
  /** Set when the source was a Swagger 2.0 document that loadOpenApi converted to OpenAPI 3.0. */
  convertedFrom?: '2.0';
  /**
   * What the `$ref`s left in operation schemas (at recursion points, see JsonSchema) stand for:
   * `$ref` value (e.g. "#/components/schemas/Node") -> that schema, copied the same way (its own
   * recursion points are `$ref`s listed here too). Absent when no operation schema has a `$ref`.
   * selfContainedSchema() turns an operation schema into one JSON Schema with `$defs` from these.
   */
  refSchemas?: Record<string, JsonSchema>;
}
