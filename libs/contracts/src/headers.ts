/** NATS and HTTP header names AutoWeave reads and writes. */
export const HEADERS = {
  correlationId: 'x-correlation-id',
  apiKey: 'x-api-key',
} as const;

/** Default upper bound of a request message on the bus (bytes); configurable per service. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
