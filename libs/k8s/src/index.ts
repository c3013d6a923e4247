export * from './types.js';
export * from './rules/index.js';
export * from './generate/index.js';
export * from './validate/index.js';
