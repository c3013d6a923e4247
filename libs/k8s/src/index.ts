export * from './types.js';
export * from './generate/index.js';
export * from './validate/index.js';
