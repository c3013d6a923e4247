// The bare relay, in its own process: a plain nats.js responder that calls the upstream with
// undici and answers an envelope. No validation, breaker, rate limit, metrics or logs: the
// limit of the architecture the hub's guarantees are measured against.
import { connect } from '@nats-io/transport-node';
import { Agent } from 'undici';

const [natsUrl, upstream] = process.argv.slice(2);
const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
const nc = await connect({ servers: natsUrl });
const decoder = new TextDecoder();
nc.subscribe('bench.relay', {
  queue: 'relay',
  callback: async (_err, msg) => {
    const { params } = JSON.parse(decoder.decode(msg.data));
    const res = await agent.request({ origin: upstream, path: `/items/${params.id}`, method: 'GET', headers: { accept: 'application/json' } });
    const body = await res.body.json();
    msg.respond(JSON.stringify({ ok: true, data: { status: res.statusCode, body } }));
  },
});
await nc.flush();
process.send?.({ ready: true });
process.on('SIGTERM', async () => {
  await nc.drain();
  await agent.close();
  process.exit(0);
});
