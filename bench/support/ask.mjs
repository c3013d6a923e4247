// Request/reply with the services over NATS from a benchmark.

/** A JSON request over NATS that resolves with the parsed reply: a service's `{ok, data | error}` envelope, or a JetStream API answer. */
export const asker = (client, timeout = 10_000) => {
  const decoder = new TextDecoder();
  return async (subject, payload) => JSON.parse(decoder.decode((await client.request(subject, JSON.stringify(payload), { timeout })).data));
};
