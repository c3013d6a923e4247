export * from './nats-server.js';
export * from './ports.js';
export * from './postgres.js';
export * from './wait.js';
export * from './service-probe.js';
export * from './integration-records.js';
