// A webhook receiver for benchmarks, in its own process: answers 204 to every POST and counts
// distinct webhook-ids per path. The parent sends {path, expect}; when that path has seen `expect`
// distinct ids the receiver sends {path, done: true}. Prints its port to the parent on start.
import { createServer } from 'node:http';

const seen = new Map(); // path -> Set of webhook-ids
const waiting = new Map(); // path -> expected count

const server = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(204).end();
    const path = req.url ?? '/';
    let ids = seen.get(path);
    if (!ids) seen.set(path, (ids = new Set()));
    ids.add(String(req.headers['webhook-id']));
    const expected = waiting.get(path);
    if (expected !== undefined && ids.size >= expected) {
      waiting.delete(path);
      process.send({ path, done: true });
    }
  });
});
server.keepAliveTimeout = 60_000;
process.on('message', ({ path, expect }) => {
  if ((seen.get(path)?.size ?? 0) >= expect) process.send({ path, done: true });
  else waiting.set(path, expect);
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
