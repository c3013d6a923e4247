// OpenAPI -> Kubernetes manifests on a large API description: how long do generate + validate
// take against parse + dereference alone, in the same run?
// No multi-MB real-world description is stored in this repository, so one is generated here:
// a synthetic commerce API with --paths path items (4 operations each, shared $ref'd schemas,
// parameters in every location, three security schemes), several MB of JSON.
// Prints one JSON line; ratio = generate-and-validate time / parse time.
import { generateManifests, toMultiDocYaml, validateManifests } from '@autoweave/k8s';
import { loadOpenApi } from '@autoweave/openapi';
import { numberArg } from './load.mjs';

if (process.argv.includes('--help')) {
  console.log('usage: node bench/manifests.bench.mjs [--paths N] [--runs R]\nPrints one JSON line: spec size, operations, parse ms, generate ms, validate ms, ratio.');
  process.exit(0);
}
const paths = numberArg('paths', 4000);
const runs = numberArg('runs', 3);

function largeSpec(n) {
  const schemas = {};
  for (let i = 0; i < 200; i++) {
    schemas[`Entity${i}`] = {
      type: 'object',
      required: ['id', 'name'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        name: { type: 'string', maxLength: 200, description: `The name of entity ${i}, shown to customers in listings and receipts.` },
        price: { type: 'number', minimum: 0 },
        tags: { type: 'array', items: { type: 'string' } },
        owner: { $ref: `#/components/schemas/Entity${(i + 1) % 200}Ref` },
        attributes: { type: 'object', additionalProperties: { type: 'string' } },
      },
    };
    schemas[`Entity${i}Ref`] = { type: 'object', properties: { id: { type: 'string' }, href: { type: 'string', format: 'uri' } } };
  }
  const pathItems = {};
  for (let p = 0; p < n; p++) {
    const entity = `Entity${p % 200}`;
    const base = `/domain${p % 40}/resource${p}`;
    const listParams = [
      { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500 } },
      { name: 'cursor', in: 'query', schema: { type: 'string' } },
      { name: 'X-Request-Id', in: 'header', schema: { type: 'string' } },
    ];
    pathItems[base] = {
      get: { operationId: `list${p}`, tags: [`domain${p % 40}`], parameters: listParams, responses: { 200: { description: 'page', content: { 'application/json': { schema: { type: 'array', items: { $ref: `#/components/schemas/${entity}` } } } } } } },
      post: { operationId: `create${p}`, requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${entity}` } } } }, responses: { 201: { description: 'created' } } },
    };
    pathItems[`${base}/{id}`] = {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: { operationId: `get${p}`, responses: { 200: { description: 'one', content: { 'application/json': { schema: { $ref: `#/components/schemas/${entity}` } } } }, 404: { description: 'none' } } },
      delete: { operationId: `delete${p}`, parameters: [{ name: 'session', in: 'cookie', schema: { type: 'string' } }], responses: { 204: { description: 'gone' } } },
    };
  }
  pathItems['/health'] = { get: { operationId: 'health', security: [], responses: { 200: { description: 'ok' } } } };
  return {
    openapi: '3.0.3',
    info: { title: 'Synthetic Commerce', version: '1.0.0' },
    servers: [{ url: 'https://{region}.commerce.example.com:8443/api', variables: { region: { default: 'eu', enum: ['eu', 'us'] } } }],
    security: [{ key: [] }, { oauth: ['read'] }],
    components: {
      schemas,
      securitySchemes: {
        key: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        basic: { type: 'http', scheme: 'basic' },
        oauth: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://auth.example.com/token', scopes: { read: 'read' } } } },
      },
    },
    paths: pathItems,
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const time = async (fn) => {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
};

const spec = largeSpec(paths);
const specBytes = Buffer.byteLength(JSON.stringify(spec));
const parseMs = [];
const generateMs = [];
const validateMs = [];
let operations = 0;
let objects = 0;
let valid = false;
for (let r = 0; r < runs; r++) {
  process.stderr.write(`[manifests bench] run ${r + 1}/${runs}\n`);
  const parsed = await time(() => loadOpenApi({ spec: structuredClone(spec) }, { maxBytes: 64 * 1024 * 1024 }));
  parseMs.push(parsed.ms);
  operations = parsed.value.operations.length;
  const generated = await time(() => {
    const set = generateManifests({ name: 'synthetic-commerce', api: parsed.value, deploy: { image: 'registry.example.com/commerce:1.0.0', ingress: { host: 'commerce.example.com' } }, runtimeImage: 'ghcr.io/autoweave/integration-runtime:0.1.0' });
    toMultiDocYaml(set.objects);
    return set;
  });
  generateMs.push(generated.ms);
  const validated = await time(() => validateManifests(generated.value.objects));
  validateMs.push(validated.ms);
  objects = generated.value.objects.length;
  valid = validated.value.valid;
}
const parse = median(parseMs);
const generateAndValidate = median(generateMs) + median(validateMs);
console.log(JSON.stringify({
  bench: 'manifests',
  spec: 'synthetic (generated in the bench)',
  specBytes,
  operations,
  objects,
  valid,
  parseMs: Number(parse.toFixed(1)),
  generateMs: Number(median(generateMs).toFixed(1)),
  validateMs: Number(median(validateMs).toFixed(1)),
  ratio: Number((generateAndValidate / parse).toFixed(3)),
}));
