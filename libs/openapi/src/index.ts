export * from './types.js';
export * from './options.js';
export { loadOpenApi, type LoadErrorDetails, type Problem } from './load.js';
export { extractOperations, extractServers, extractSecuritySchemes } from './operations.js';
export { resolveServerUrl } from './servers.js';
export { selfContainedSchema } from './schema.js';
export { findOperation, findHealthOperation } from './find.js';
export { fetchTextWithUndici, DocumentTooLargeError } from './fetch.js';
