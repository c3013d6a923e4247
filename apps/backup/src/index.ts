export * from './backup.js';
export * from './restore.js';
export * from './snapshot.js';
export * from './restore-stream.js';
export * from './manifest.js';
export * from './targets.js';
export * from './verify-files.js';
export * from './inventory.js';
