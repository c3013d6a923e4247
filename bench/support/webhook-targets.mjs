// The baselines of bench/webhooks-in.bench.mjs, each in its own process (like the gateway):
//   relay <natsUrl> <secret> <subjectPrefix>: a plain node:http server that reads the body, verifies it with the
//     standardwebhooks package and publishes it to JetStream (Nats-Msg-Id = webhook-id), answering 202 after the
//     ack. No size limit, metrics, logs, health or republishing: the limit of the design.
//   noop: a plain node:http server that reads the body and answers 202.
import { createServer } from 'node:http';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { Webhook } from 'standardwebhooks';

const [mode, natsUrl, secret, subjectPrefix] = process.argv.slice(2);
const decoder = new TextDecoder();
let handle;
let nc;
if (mode === 'relay') {
  nc = await connect({ servers: natsUrl });
  const webhook = new Webhook(secret);
  handle = async (req, body, res) => {
    let event;
    try {
      event = webhook.verify(body, req.headers);
    } catch (err) {
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: err.message }));
    }
    const h = natsHeaders();
    h.set('Nats-Msg-Id', req.headers['webhook-id']);
    const reply = await nc.request(`${subjectPrefix}.${event.type}`, body, { headers: h, timeout: 10_000 });
    const ack = JSON.parse(decoder.decode(reply.data));
    if (ack.error) {
      res.writeHead(503, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(ack));
    }
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: req.headers['webhook-id'], duplicate: Boolean(ack.duplicate) }));
  };
} else {
  handle = (_req, _body, res) => {
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end('{}');
  };
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    Promise.resolve(handle(req, Buffer.concat(chunks), res)).catch((err) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('SIGTERM', () => server.close(async () => {
  await nc?.drain();
  process.exit(0);
}));
