import { afterAll, beforeAll, expect } from '@jest/globals';
import type { NatsConnection } from '@nats-io/transport-node';
import { ApiClient } from './http.js';
import { SERVICES, Stack } from './stack.js';

export interface Backend {
  stack: Stack;
  /** An API client with the admin key. */
  api: ApiClient;
  /** A NATS client on the backend's server, as the admin user. */
  nc: NatsConnection;
  /** Server log lines a test provokes on purpose (a refused subject); any other violation fails the file. */
  expectedViolations: RegExp[];
}

/**
 * Starts the whole backend (five services as processes on a private
 * nats-server) before the tests of a file, and stops it after them, checking
 * that every service exited cleanly on SIGTERM. The fields are set once
 * beforeAll has run.
 */
export function useBackend(): Backend {
  const backend = { expectedViolations: [] as RegExp[] } as Backend;
  beforeAll(async () => {
    backend.stack = await Stack.start();
    backend.api = new ApiClient(backend.stack.gatewayUrl, backend.stack.adminKey);
    backend.nc = await backend.stack.connect();
  });
  afterAll(async () => {
    await backend.nc?.close();
    if (!backend.stack) return;
    const violations = backend.stack.violations();
    const codes = await backend.stack.stop();
    for (const [name, code] of Object.entries(codes)) {
      // The last lines of a service that did not exit cleanly say why; without them a CI failure is a guess.
      if (code !== 0) process.stderr.write(`${name} exited with ${code}; its last log lines:\n${backend.stack.services.get(name as never)?.tail(30).join('\n')}\n`);
    }
    expect(codes).toEqual(Object.fromEntries(SERVICES.map((s) => [s, 0])));
    // Every subject a service used is granted to it (tests may probe refusals as other users; they say so by filtering).
    expect(violations.filter((line) => !backend.expectedViolations.some((pattern) => pattern.test(line)))).toEqual([]);
  });
  return backend;
}
