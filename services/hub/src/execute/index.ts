export * from './params.js';
export * from './field-problems.js';
export * from './request-builder.js';
export * from './auth.js';
export * from './oauth2-token-cache.js';
export * from './upstream-client.js';
export * from './media-type.js';
