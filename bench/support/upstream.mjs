// The benchmark's upstream API, in its own process: GET /items/{id} answers a small JSON document.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  const match = /^\/items\/(\d+)$/.exec(req.url ?? '');
  if (!match) {
    res.writeHead(404, { 'content-type': 'application/json' });
    return res.end('{"error":"not found"}');
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ id: Number(match[1]), name: `item ${match[1]}`, tags: ['a', 'b'] }));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
