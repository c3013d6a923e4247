import { loadOpenApi } from './dist/index.js';
const sw = { swagger: '2.0', info: { title: 'S', version: '1' }, paths: { '/p': { get: { responses: { '200': { description: 'd', schema: { type: 'string' } } } } } } };
console.log(JSON.stringify((await loadOpenApi({ spec: sw })).operations[0].responses));
const sw2 = { swagger: '2.0', info: { title: 'S', version: '1' }, paths: { '/p': { get: { responses: { '200': { description: 'd', schema: { $ref: '#/definitions/P' } } } } } }, definitions: { P: { type: 'object', properties: { n: { $ref: '#/definitions/P' } } } } };
console.log(JSON.stringify((await loadOpenApi({ spec: sw2 })).operations[0].responses));
const sw3 = { swagger: '2.0', info: { title: 'S', version: '1' }, paths: { '/p': { get: { responses: { '200': { description: 'd', schema: { $ref: '#/x-other/P' } } } } } }, 'x-other': { P: { type: 'object', properties: { n: { $ref: '#/x-other/P' } } } } };
console.log(JSON.stringify((await loadOpenApi({ spec: sw3 })).operations[0].responses));
