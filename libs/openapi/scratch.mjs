import { createServer } from 'node:http';
import { loadOpenApi } from './dist/index.js';
const docs = {
  '/defs.json': { Pet: { type: 'object', 'x-nullable': true, properties: { next: { $ref: '#/Pet' }, name: { type: 'string' } } }, Param: { name: 'q', in: 'query', type: 'string' }, Resp: { description: 'remote resp', schema: { $ref: '#/Pet' } } },
};
const server = createServer((req, res) => { const d = docs[req.url]; if (!d) { res.writeHead(404); return res.end(); } res.end(JSON.stringify(d)); });
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;
const sw = { swagger: '2.0', info: { title: 'S', version: '1' }, paths: { '/p': { get: { parameters: [{ $ref: `${base}/defs.json#/Param` }], responses: { '200': { $ref: `${base}/defs.json#/Resp` } } } } } };
try { console.log(JSON.stringify(await loadOpenApi({ spec: sw }), null, 1)); } catch (e) { console.log('ERR', e.message, e.cause); }
const o31 = { openapi: '3.1.0', info: { title: 'T', version: '1' }, paths: { '/p': { get: { responses: { '200': { description: 'x', content: { 'application/json': { schema: { $ref: `${base}/defs.json#/Pet` } } } } } } } } };
try { console.log(JSON.stringify((await loadOpenApi({ spec: o31 })).operations[0].responses, null, 1)); } catch (e) { console.log('ERR', e.message, e.details); }
// invalid content in remote doc referenced by 3.0 doc
docs['/badresp.json'] = { R: { descriptio: 'x' } };
const o30 = { openapi: '3.0.3', info: { title: 'T', version: '1' }, paths: { '/p': { get: { responses: { '200': { $ref: `${base}/badresp.json#/R` } } } } } };
try { await loadOpenApi({ spec: o30 }); } catch (e) { console.log('ERR', e.message, JSON.stringify(e.details)); }
docs['/missing-ptr.json'] = { R: { $ref: '#/Nope' } };
const o30b = { openapi: '3.0.3', info: { title: 'T', version: '1' }, paths: { '/p': { get: { responses: { '200': { $ref: `${base}/missing-ptr.json#/R` } } } } } };
try { await loadOpenApi({ spec: o30b }); } catch (e) { console.log('ERR', e.message, JSON.stringify(e.details)); }
server.close();
