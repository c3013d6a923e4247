export * from './types.js';
export * from './options.js';
export { loadOpenApi, readOpenApi, type LoadErrorDetails, type Problem, type ReadOpenApi } from './load.js';
export { extractOperations, extractServers, extractSecuritySchemes } from './operations.js';
export { resolveServerUrl } from './servers.js';
export { selfContainedSchema } from './schema.js';
export { findOperation, findHealthOperation } from './find.js';
export { fetchTextWithUndici, keepAliveFetcher, DocumentTooLargeError, type KeepAliveFetcher, type UndiciFetchOptions } from './fetch.js';
