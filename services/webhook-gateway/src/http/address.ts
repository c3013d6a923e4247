import type { AddressInfo } from 'node:net';
import type { INestApplication, INestMicroservice } from '@nestjs/common';

/** The port the HTTP API is bound to (useful with AUTOWEAVE_HTTP_PORT=0). */
export function boundPort(app: INestApplication | INestMicroservice): number {
  const server = (app as INestApplication).getHttpServer?.();
  const address = server?.address() as AddressInfo | string | null | undefined;
  if (!address || typeof address === 'string') throw new Error('the HTTP server is not listening on a TCP port');
  return address.port;
}

/** A base URL to reach the API from this machine. */
export function localBaseUrl(app: INestApplication | INestMicroservice): string {
  return `http://127.0.0.1:${boundPort(app)}`;
}
