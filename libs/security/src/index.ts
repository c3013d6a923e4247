export * from './secret-box.js';
export * from './secret-fields.js';
